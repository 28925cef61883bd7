package io.switchboard.hub.app.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Headless Debian Chromium driven by Playwright for Java. Playwright never downloads a browser here: the
 * system's {@code /usr/bin/chromium} is used ({@code .ci/run} installs the package; another binary can be
 * named with {@code -Dswitchboard.chromium=...}). The flags keep Chromium off the network it cannot reach.
 * Screenshots go to {@code target/screenshots/} (kept by CI as artifacts).
 */
final class Chromium implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-dev-shm-usage");

  private final Playwright playwright;
  private final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  static Chromium launch() {
    Path executable = Path.of(System.getProperty("switchboard.chromium", "/usr/bin/chromium"));
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("the browser tests need Chromium at " + executable
          + ": install Debian's chromium package (apt-get install chromium) or pass -Dswitchboard.chromium=<path>");
    }
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(executable).setHeadless(true).setArgs(ARGS));
      return new Chromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /** A page in a context of its own (its own sessionStorage and cookies: one person per page). */
  Page newPage() {
    return newPage(1400, 900);
  }

  /** A page of its own with this viewport (a 1366×768 laptop, a 390-px phone). */
  Page newPage(int width, int height) {
    var context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
    return context.newPage();
  }

  static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      playwright.close();
    }
  }
}

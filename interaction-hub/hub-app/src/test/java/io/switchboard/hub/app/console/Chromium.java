package io.switchboard.hub.app.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Headless Debian Chromium driven by Playwright for Java. Playwright never downloads a browser here: the
 * system's {@code /usr/bin/chromium} is used ({@code .ci/run} installs the package; another binary can be
 * named with {@code -Dswitchboard.chromium=...}). The flags keep Chromium off the network it cannot reach.
 * Screenshots go to {@code target/screenshots/} (kept by CI as artifacts).
 *
 * <p>One browser serves every test class of the JVM: it is launched on the first {@link #open()} (about a second of
 * the suite's time per class otherwise) and closed when the JVM exits, or launched again if it went away. Tests stay
 * apart because each page has a browser context of its own (its own cookies and storage); each {@code Chromium} handle
 * keeps the contexts it made and closes them all in {@link #close()}, so no page of a finished test keeps running.
 * Like Playwright itself, not for use from several threads at once.
 */
final class Chromium implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-dev-shm-usage");

  private static Playwright playwright; // guarded by Chromium.class
  private static Browser browser; // guarded by Chromium.class
  private static boolean hooked; // guarded by Chromium.class: the shutdown hook is registered

  private final Browser shared;
  private final List<BrowserContext> contexts = new ArrayList<>();

  private Chromium(Browser shared) {
    this.shared = shared;
  }

  /** A handle on the JVM's Chromium, launched on first use; {@link #close()} closes this handle's pages only. */
  static Chromium open() {
    return new Chromium(browser());
  }

  private static synchronized Browser browser() {
    if (browser != null && browser.isConnected()) {
      return browser;
    }
    if (playwright != null) {
      // The browser went away (it crashed or was killed): start over with a new driver.
      quit();
    }
    Path executable = Path.of(System.getProperty("switchboard.chromium", "/usr/bin/chromium"));
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("the browser tests need Chromium at " + executable
          + ": install Debian's chromium package (apt-get install chromium) or pass -Dswitchboard.chromium=<path>");
    }
    Playwright created = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      browser = created.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(executable).setHeadless(true).setArgs(ARGS));
      playwright = created;
    } catch (RuntimeException e) {
      created.close();
      throw e;
    }
    if (!hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(Chromium::quit, "chromium-shutdown"));
    }
    return browser;
  }

  /** Closes the browser and Playwright's driver (at JVM exit, or before a relaunch). */
  private static synchronized void quit() {
    try {
      if (browser != null) {
        browser.close();
      }
    } catch (RuntimeException e) {
      // Already gone: the driver's close below ends what is left.
    } finally {
      browser = null;
      try {
        if (playwright != null) {
          playwright.close();
        }
      } catch (RuntimeException e) {
        // The driver went away with the browser.
      } finally {
        playwright = null;
      }
    }
  }

  /** A page in a context of its own (its own sessionStorage and cookies: one person per page). */
  Page newPage() {
    return newPage(1400, 900);
  }

  /** A page of its own with this viewport (a 1366×768 laptop, a 390-px phone). */
  Page newPage(int width, int height) {
    var context = shared.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
    contexts.add(context);
    return context.newPage();
  }

  static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }

  /** Closes every page (context) this handle opened; the browser stays up for the next test class. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (BrowserContext c : contexts) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // Closing twice is harmless; a context of a browser that went away is gone with it.
        if (shared.isConnected() && failure == null) {
          failure = e;
        }
      }
    }
    contexts.clear();
    if (failure != null) {
      throw failure;
    }
  }
}

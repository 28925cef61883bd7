package io.switchboard.hub.app.console;

import io.switchboard.hub.app.TestHub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lifecycle every browser test shares, as a JUnit 5 extension: the JVM's Chromium ({@link Chromium#open()}),
 * a fresh hub per test, the test's pages and hubs closed whatever the test did. Register it in a static field and take what a test needs:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
 * private final Chromium chromium = browser.chromium();
 * private final TestHub hub = browser.hub();
 * }</pre>
 *
 * <p>Both are started on first use: the Chromium handle when a test instance first asks for it (kept until the class
 * ends), the hub when a test first asks for it (closed after that test, so what one test leaves waiting never
 * leaks into the next). A hub a test starts itself, with settings of its own, is handed over with {@link #use}
 * and closed the same way. After each test its pages are closed first (so none keeps talking to a hub going away),
 * then its hubs; a failure to close one is reported after the others were closed. Not for parallel test execution within one class (the suite runs classes one at a time).
 */
final class ConsoleBrowser implements AfterEachCallback, AfterAllCallback {
  private final Supplier<TestHub> hubs;
  private final List<TestHub> started = new ArrayList<>();
  private Chromium chromium;
  private TestHub hub;

  private ConsoleBrowser(Supplier<TestHub> hubs) {
    this.hubs = hubs;
  }

  /** Each test's hub comes from this supplier (called at most once per test, inside the test). */
  static ConsoleBrowser withHub(Supplier<TestHub> hubs) {
    return new ConsoleBrowser(hubs);
  }

  /** Each test's hub is the demo hub with the default configuration ({@link TestHub#start()}). */
  static ConsoleBrowser withDemoHub() {
    return new ConsoleBrowser(TestHub::start);
  }

  /** Each test's hub serves the web chat with two topics ({@link ConsoleSteps#hubWithWebChat}). */
  static ConsoleBrowser withWebChatHub() {
    return new ConsoleBrowser(() -> ConsoleSteps.hubWithWebChat(Map.of()));
  }

  /** No hub of its own: each test starts the hub it needs and hands it over with {@link #use}. */
  static ConsoleBrowser withoutHub() {
    return new ConsoleBrowser(() -> {
      throw new IllegalStateException("this test class starts its own hubs: pass them to ConsoleBrowser.use");
    });
  }

  /** The class's handle on the JVM's Chromium, opened on first use. */
  synchronized Chromium chromium() {
    if (chromium == null) {
      chromium = Chromium.open();
    }
    return chromium;
  }

  /** This test's hub, started on first use and closed after the test. */
  synchronized TestHub hub() {
    if (hub == null) {
      hub = use(hubs.get());
    }
    return hub;
  }

  /** Closes this hub after the current test; returns it. */
  synchronized TestHub use(TestHub testHub) {
    started.add(testHub);
    return testHub;
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    hub = null;
    RuntimeException failure = null;
    if (chromium != null) {
      try {
        chromium.close();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    for (TestHub h : started) {
      try {
        h.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (chromium != null) {
      try {
        chromium.close();
      } finally {
        chromium = null;
      }
    }
  }
}

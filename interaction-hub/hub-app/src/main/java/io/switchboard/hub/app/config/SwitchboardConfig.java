package io.switchboard.hub.app.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The hub's configuration, read from config/switchboard.yaml with SWITCHBOARD_* environment variables on
 * top (see {@link ConfigLoader}). A null PostgreSQL or Redis URL means: start the embedded server.
 *
 * @param configDir the folder holding switchboard.yaml and demo/
 * @param dataDir where the embedded servers keep their data (./data by default)
 */
public record SwitchboardConfig(
    Path configDir,
    Path dataDir,
    Http http,
    Postgres postgres,
    Redis redis,
    Customers customers,
    Security security,
    Demo demo,
    Map<String, Map<String, Object>> channels,
    Routing routing) {

  public SwitchboardConfig {
    channels = channels == null ? Map.of() : Map.copyOf(channels);
  }

  /** The HTTP listener. */
  /**
   * @param publicUrl how browsers and providers reach this hub (for adapters' webhook and widget URLs); null:
   *     http://localhost:&lt;port&gt;
   * @param maxAttachmentBytes the largest file staff may upload as an attachment (413 above)
   */
  public record Http(String host, int port, int maxBodyBytes, Duration shutdownGrace, List<String> allowedOrigins, String publicUrl,
      int maxAttachmentBytes) {}

  /** PostgreSQL; {@code url} null for the embedded server. */
  public record Postgres(String url, String password, int poolSize) {
    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  /** Redis; {@code url} null for the embedded server. */
  public record Redis(String url, String password, String keyPrefix) {
    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  /**
   * The routing runtime's settings (the rules themselves are in routing.yaml).
   *
   * @param reconcileEvery how often live routing state in Redis is compared with PostgreSQL and repaired
   *     ({@code RoutingReconciler}); it also runs soon after any Redis error or reconnect
   */
  public record Routing(Duration reconcileEvery) {}

  /** Customer matching. */
  public record Customers(String defaultRegion) {}

  /** Logins and passwords. */
  public record Security(Duration sessionTtl, int maxFailedLogins, Duration failureWindow, int bcryptCost) {}

  /**
   * The demo seed: loaded from configDir/demo on first start when enabled.
   *
   * @param apiKey the inbound API key the demo registers (from SWITCHBOARD_DEMO_API_KEY, or the demo file)
   */
  public record Demo(boolean enabled, String apiKey) {}
}

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
    Map<String, Map<String, Object>> channels) {

  public SwitchboardConfig {
    channels = channels == null ? Map.of() : Map.copyOf(channels);
  }

  /** The HTTP listener. */
  /**
   * @param publicUrl how browsers and providers reach this hub (for adapters' webhook and widget URLs); null:
   *     http://localhost:&lt;port&gt;
   */
  public record Http(String host, int port, int maxBodyBytes, Duration shutdownGrace, List<String> allowedOrigins, String publicUrl) {}

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

  /** The same configuration with other PostgreSQL and Redis URLs (used once embedded servers are up). */
  public SwitchboardConfig withServers(String pgUrl, String redisUrl) {
    return new SwitchboardConfig(configDir, dataDir, http,
        new Postgres(pgUrl, postgres.password(), postgres.poolSize()),
        new Redis(redisUrl, redis.password(), redis.keyPrefix()), customers, security, demo, channels);
  }

  /** The same configuration listening on another port. */
  public SwitchboardConfig withHttpPort(int port) {
    return new SwitchboardConfig(configDir, dataDir,
        new Http(http.host(), port, http.maxBodyBytes(), http.shutdownGrace(), http.allowedOrigins(), http.publicUrl()),
        postgres, redis, customers, security, demo, channels);
  }

  /** The same configuration with the demo seed on or off. */
  public SwitchboardConfig withDemo(boolean enabled) {
    return new SwitchboardConfig(configDir, dataDir, http, postgres, redis, customers, security, new Demo(enabled, demo.apiKey()), channels);
  }

  /** Keys of the environment that override the file, for the README. */
  public static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("SWITCHBOARD_CONFIG_DIR", "folder with switchboard.yaml and demo/ (default ./config)"),
      Map.entry("SWITCHBOARD_DATA_DIR", "where embedded servers keep data (default ./data)"),
      Map.entry("SWITCHBOARD_HTTP_HOST", "http.host"),
      Map.entry("SWITCHBOARD_HTTP_PORT", "http.port"),
      Map.entry("SWITCHBOARD_PUBLIC_URL", "http.publicUrl"),
      Map.entry("SWITCHBOARD_PG_URL", "postgres.url"),
      Map.entry("SWITCHBOARD_PG_PASSWORD", "postgres.password"),
      Map.entry("SWITCHBOARD_REDIS_URL", "redis.url"),
      Map.entry("SWITCHBOARD_REDIS_PASSWORD", "redis.password"),
      Map.entry("SWITCHBOARD_REDIS_PREFIX", "redis.keyPrefix"),
      Map.entry("SWITCHBOARD_DEFAULT_REGION", "customers.defaultRegion"),
      Map.entry("SWITCHBOARD_BCRYPT_COST", "security.bcryptCost"),
      Map.entry("SWITCHBOARD_DEMO", "demo.enabled"),
      Map.entry("SWITCHBOARD_DEMO_API_KEY", "demo.apiKey"));
}

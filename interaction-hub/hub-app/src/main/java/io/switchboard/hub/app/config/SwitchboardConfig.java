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
 * @param configPollEvery how often routing.yaml and console.yaml are checked for changes ({@code configPollEvery},
 *     {@code SWITCHBOARD_CONFIG_POLL_EVERY}, default 2 s; tests use less so a reload does not wait)
 * @param outbox how long delivered outbox entries are kept
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
    Routing routing,
    Duration configPollEvery,
    Outbox outbox) {

  public SwitchboardConfig {
    channels = channels == null ? Map.of() : Map.copyOf(channels);
    outbox = outbox == null ? new Outbox(io.switchboard.hub.core.outbox.OutboxRelay.DEFAULT_RETENTION) : outbox;
  }

  /**
   * The outbox of events and deliveries.
   *
   * @param retention how long an entry is kept after it was published (relayed, delivered or given up) before the
   *     relay deletes it ({@code outbox.retention}, {@code SWITCHBOARD_OUTBOX_RETENTION}, default 7 days); pending
   *     entries are never deleted
   */
  public record Outbox(Duration retention) {}

  /**
   * The HTTP listener.
   *
   * @param publicUrl how browsers and providers reach this hub (for adapters' webhook and widget URLs); null:
   *     http://localhost:&lt;port&gt;
   * @param maxAttachmentBytes the largest file staff may upload as an attachment (413 above)
   * @param instances HTTP verticle instances serving the port ({@code http.instances}, {@code SWITCHBOARD_HTTP_INSTANCES});
   *     0, the default: one per Vert.x event loop
   */
  public record Http(String host, int port, int maxBodyBytes, Duration shutdownGrace, List<String> allowedOrigins, String publicUrl,
      int maxAttachmentBytes, Connections connections, int instances) {
    public Http {
      connections = connections == null ? Connections.defaults() : connections;
      if (instances < 0) {
        throw new IllegalArgumentException("http.instances must be 0 (one per event loop) or more, not " + instances);
      }
    }

    /** One instance per event loop. */
    public Http(String host, int port, int maxBodyBytes, Duration shutdownGrace, List<String> allowedOrigins, String publicUrl,
        int maxAttachmentBytes, Connections connections) {
      this(host, port, maxBodyBytes, shutdownGrace, allowedOrigins, publicUrl, maxAttachmentBytes, connections, 0);
    }

    /** With the default connection limits, one instance per event loop. */
    public Http(String host, int port, int maxBodyBytes, Duration shutdownGrace, List<String> allowedOrigins, String publicUrl,
        int maxAttachmentBytes) {
      this(host, port, maxBodyBytes, shutdownGrace, allowedOrigins, publicUrl, maxAttachmentBytes, Connections.defaults(), 0);
    }

    /** The same settings on another port (the instances after the first take the port it bound). */
    public Http withPort(int newPort) {
      return new Http(host, newPort, maxBodyBytes, shutdownGrace, allowedOrigins, publicUrl, maxAttachmentBytes, connections,
          instances);
    }

    /** The instances to deploy: {@link #instances}, or {@code eventLoops} when that is 0. */
    public int instancesFor(int eventLoops) {
      return instances > 0 ? instances : Math.max(1, eventLoops);
    }
  }

  /**
   * How long clients may hold a connection without making progress, and how many one address may hold.
   *
   * @param idleTimeout no bytes either way for this long: closed (WebSockets included)
   * @param headerTimeout a new connection must deliver a complete request head within this
   * @param keepAliveTimeout after an answer, the next request head must be complete within this
   * @param bodyTimeout a request must deliver its whole body within this
   * @param maxPerAddress connections one client address may hold at once
   */
  public record Connections(Duration idleTimeout, Duration headerTimeout, Duration keepAliveTimeout, Duration bodyTimeout,
      int maxPerAddress) {
    public static Connections defaults() {
      return new Connections(Duration.ofSeconds(120), Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofSeconds(60), 256);
    }
  }

  /**
   * PostgreSQL; {@code url} null for the embedded server.
   *
   * @param poolSize connections the hub holds at most
   * @param poolWait how long a request waits for a pooled connection when all are busy before it is answered 503
   */
  public record Postgres(String url, String password, int poolSize, Duration poolWait) {
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

  /**
   * Logins and passwords, who sees whose work, what each role may do to customers, and upload quotas.
   *
   * @param visibility the work visibility rule's settings ({@code security.agentsSeeCustomerHistory},
   *     {@code security.agentsSeeOthersNotes})
   * @param rights least role per right ({@code security.rights.*})
   * @param uploads quotas of uploads not yet sent ({@code security.uploadQuotaPerUser}, {@code security.uploadQuotaTotal})
   * @param unusedUploadTtl how long an upload no reply used is kept ({@code security.unusedUploadTtl})
   */
  public record Security(Duration sessionTtl, int maxFailedLogins, Duration failureWindow, int bcryptCost,
      io.switchboard.hub.core.access.WorkVisibility.Settings visibility, io.switchboard.hub.core.access.Rights rights,
      io.switchboard.hub.core.messaging.AttachmentService.Quotas uploads, Duration unusedUploadTtl, Duration authCacheTtl) {
    /** How long a checked session or API key is trusted in memory by default (changes drop it at once everywhere). */
    public static final Duration DEFAULT_AUTH_CACHE_TTL = Duration.ofSeconds(5);

    public Security {
      authCacheTtl = authCacheTtl == null ? DEFAULT_AUTH_CACHE_TTL : authCacheTtl;
      visibility = visibility == null ? io.switchboard.hub.core.access.WorkVisibility.Settings.defaults() : visibility;
      rights = rights == null ? io.switchboard.hub.core.access.Rights.defaults() : rights;
      uploads = uploads == null ? io.switchboard.hub.core.messaging.AttachmentService.Quotas.defaults() : uploads;
      unusedUploadTtl = unusedUploadTtl == null ? Duration.ofHours(1) : unusedUploadTtl;
    }

    /** With the defaults for visibility, rights and uploads. */
    public Security(Duration sessionTtl, int maxFailedLogins, Duration failureWindow, int bcryptCost) {
      this(sessionTtl, maxFailedLogins, failureWindow, bcryptCost, null, null, null, null, null);
    }
  }

  /**
   * The demo seed: loaded from configDir/demo on first start when enabled.
   *
   * @param apiKey the inbound API key the demo registers (from SWITCHBOARD_DEMO_API_KEY, or the demo file)
   */
  public record Demo(boolean enabled, String apiKey) {}
}

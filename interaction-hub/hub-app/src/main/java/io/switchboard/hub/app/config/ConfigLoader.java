package io.switchboard.hub.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads config/switchboard.yaml and applies SWITCHBOARD_* environment variables on top. Every error names
 * the file (or variable) and the key; unknown keys are errors too, so a typo does not go unnoticed.
 */
public final class ConfigLoader {
  private static final Map<String, Set<String>> KNOWN = Map.of(
      "", Set.of("http", "postgres", "redis", "customers", "security", "demo", "dataDir", "channels", "routing",
          "configPollEvery", "outbox"),
      "http", Set.of("host", "port", "maxBodyBytes", "shutdownGrace", "allowedOrigins", "publicUrl", "maxAttachmentBytes",
          "idleTimeout", "headerTimeout", "keepAliveTimeout", "bodyTimeout", "maxConnectionsPerAddress", "instances"),
      "postgres", Set.of("url", "password", "poolSize", "poolWait"),
      "redis", Set.of("url", "password", "keyPrefix"),
      "customers", Set.of("defaultRegion"),
      "security", Set.of("sessionTtl", "authCacheTtl", "maxFailedLogins", "failureWindow", "bcryptCost", "agentsSeeCustomerHistory",
          "agentsSeeOthersNotes", "rights", "uploadQuotaPerUser", "uploadQuotaTotal", "unusedUploadTtl"),
      "demo", Set.of("enabled", "apiKey"),
      "routing", Set.of("reconcileEvery"),
      "outbox", Set.of("retention"));

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /** Loads from the environment's SWITCHBOARD_CONFIG_DIR, or ./config. */
  public SwitchboardConfig load() {
    Path dir = Path.of(env.getOrDefault("SWITCHBOARD_CONFIG_DIR", "config"));
    return load(dir);
  }

  public SwitchboardConfig load(Path configDir) {
    Path file = configDir.resolve("switchboard.yaml");
    JsonNode root = MissingNode.getInstance();
    if (Files.exists(file)) {
      try {
        root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
      } catch (JacksonException e) {
        throw new ConfigException(file + ": not valid YAML at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
      }
      if (root == null || root.isNull() || root.isMissingNode()) {
        root = MissingNode.getInstance();
      } else if (!root.isObject()) {
        throw new ConfigException(file + ": must be a mapping of sections (http, postgres, redis, ...)");
      }
      checkKnown(file, root);
    }
    Reader r = new Reader(file, root);
    String dataDir = r.text("SWITCHBOARD_DATA_DIR", "dataDir", "data");
    SwitchboardConfig.Http http = new SwitchboardConfig.Http(
        r.text("SWITCHBOARD_HTTP_HOST", "http.host", null),
        r.integer("SWITCHBOARD_HTTP_PORT", "http.port", 8080, 0, 65535),
        r.integer(null, "http.maxBodyBytes", 1024 * 1024, 1024, 64 * 1024 * 1024),
        r.duration(null, "http.shutdownGrace", Duration.ofSeconds(10)),
        r.list("http.allowedOrigins"),
        r.text("SWITCHBOARD_PUBLIC_URL", "http.publicUrl", null),
        r.integer("SWITCHBOARD_MAX_ATTACHMENT_BYTES", "http.maxAttachmentBytes", 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
        new SwitchboardConfig.Connections(
            r.duration(null, "http.idleTimeout", Duration.ofSeconds(120)),
            r.duration(null, "http.headerTimeout", Duration.ofSeconds(10)),
            r.duration(null, "http.keepAliveTimeout", Duration.ofSeconds(75)),
            r.duration(null, "http.bodyTimeout", Duration.ofSeconds(60)),
            r.integer("SWITCHBOARD_MAX_CONNECTIONS_PER_ADDRESS", "http.maxConnectionsPerAddress", 256, 1, 1_000_000)),
        r.integer("SWITCHBOARD_HTTP_INSTANCES", "http.instances", 0, 0, 1024));
    SwitchboardConfig.Postgres pg = new SwitchboardConfig.Postgres(
        r.text("SWITCHBOARD_PG_URL", "postgres.url", null),
        r.text("SWITCHBOARD_PG_PASSWORD", "postgres.password", null),
        r.integer("SWITCHBOARD_PG_POOL_SIZE", "postgres.poolSize", 16, 1, 200),
        r.duration("SWITCHBOARD_PG_POOL_WAIT", "postgres.poolWait", io.switchboard.hub.store.Database.DEFAULT_POOL_WAIT,
            Duration.ofMillis(1)));
    SwitchboardConfig.Redis redis = new SwitchboardConfig.Redis(
        r.text("SWITCHBOARD_REDIS_URL", "redis.url", null),
        r.text("SWITCHBOARD_REDIS_PASSWORD", "redis.password", null),
        r.text("SWITCHBOARD_REDIS_PREFIX", "redis.keyPrefix", "sb:"));
    SwitchboardConfig.Customers customers = new SwitchboardConfig.Customers(
        r.text("SWITCHBOARD_DEFAULT_REGION", "customers.defaultRegion", "US"));
    java.util.Map<io.switchboard.hub.core.access.Rights.Right, io.switchboard.hub.api.Role> least = new java.util.EnumMap<>(
        io.switchboard.hub.core.access.Rights.Right.class);
    JsonNode rightsNode = root.path("security").path("rights");
    if (!rightsNode.isMissingNode() && !rightsNode.isNull()) {
      if (!rightsNode.isObject()) {
        throw new ConfigException(file + ": 'security.rights' must be a mapping of right to the least role that has it");
      }
      for (Iterator<String> it = rightsNode.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        var right = io.switchboard.hub.core.access.Rights.byKey(name);
        if (right == null) {
          throw new ConfigException(file + ": unknown key 'security.rights." + name + "' (known: mergeCustomers, unmergeCustomers, editIdentities, editTier)");
        }
        try {
          least.put(right, io.switchboard.hub.api.Role.fromWire(rightsNode.get(name).asText()));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(file + ": 'security.rights." + name + "' must be agent, supervisor or admin", e);
        }
      }
    }
    SwitchboardConfig.Security security = new SwitchboardConfig.Security(
        r.duration(null, "security.sessionTtl", Duration.ofHours(12)),
        r.integer(null, "security.maxFailedLogins", 10, 1, 1000),
        r.duration(null, "security.failureWindow", Duration.ofMinutes(15)),
        r.integer("SWITCHBOARD_BCRYPT_COST", "security.bcryptCost", 10, 4, 16),
        new io.switchboard.hub.core.access.WorkVisibility.Settings(
            r.bool(null, "security.agentsSeeCustomerHistory", true),
            r.bool(null, "security.agentsSeeOthersNotes", false)),
        new io.switchboard.hub.core.access.Rights(least),
        new io.switchboard.hub.core.messaging.AttachmentService.Quotas(
            r.integer(null, "security.uploadQuotaPerUser", 100 * 1024 * 1024, 1024, Integer.MAX_VALUE),
            r.integer(null, "security.uploadQuotaTotal", Integer.MAX_VALUE, 1024, Integer.MAX_VALUE)),
        r.duration(null, "security.unusedUploadTtl", Duration.ofHours(1)),
        r.duration("SWITCHBOARD_AUTH_CACHE_TTL", "security.authCacheTtl", SwitchboardConfig.Security.DEFAULT_AUTH_CACHE_TTL));
    SwitchboardConfig.Demo demo = new SwitchboardConfig.Demo(
        r.bool("SWITCHBOARD_DEMO", "demo.enabled", true),
        r.text("SWITCHBOARD_DEMO_API_KEY", "demo.apiKey", null));
    if (http.host() == null || http.host().isBlank()) {
      // Unless told otherwise, a demo (whose logins are published) listens on loopback only.
      http = new SwitchboardConfig.Http(demo.enabled() ? "127.0.0.1" : "0.0.0.0", http.port(), http.maxBodyBytes(),
          http.shutdownGrace(), http.allowedOrigins(), http.publicUrl(), http.maxAttachmentBytes(), http.connections(),
          http.instances());
    }
    SwitchboardConfig.Routing routing = new SwitchboardConfig.Routing(
        r.duration("SWITCHBOARD_ROUTING_RECONCILE_EVERY", "routing.reconcileEvery", Duration.ofSeconds(5), Duration.ofMillis(100)));
    // How often routing.yaml and console.yaml are checked for changes while the hub runs.
    Duration configPollEvery = r.duration("SWITCHBOARD_CONFIG_POLL_EVERY", "configPollEvery", Duration.ofSeconds(2), Duration.ofMillis(50));
    SwitchboardConfig.Outbox outbox = new SwitchboardConfig.Outbox(
        r.duration("SWITCHBOARD_OUTBOX_RETENTION", "outbox.retention", io.switchboard.hub.core.outbox.OutboxRelay.DEFAULT_RETENTION,
            Duration.ofMinutes(1)));
    return new SwitchboardConfig(configDir, Path.of(dataDir), http, pg, redis, customers, security, demo, channels(file, root), routing,
        configPollEvery, outbox);
  }

  /** {@code channels:} one section per adapter, each a mapping the adapter reads itself. */
  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> channels(Path file, JsonNode root) {
    JsonNode node = root.path("channels");
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new ConfigException(file + ": 'channels' must be a mapping of adapter name to its settings");
    }
    Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode section = node.get(name);
      if (section.isNull()) {
        out.put(name, Map.of());
      } else if (!section.isObject()) {
        throw new ConfigException(file + ": 'channels." + name + "' must be a mapping");
      } else {
        out.put(name, new ObjectMapper().convertValue(section, Map.class));
      }
    }
    return out;
  }

  private static void checkKnown(Path file, JsonNode root) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String section = it.next();
      if (!KNOWN.get("").contains(section)) {
        throw new ConfigException(file + ": unknown key '" + section + "' (known: " + KNOWN.get("") + ")");
      }
      JsonNode node = root.get(section);
      Set<String> keys = KNOWN.get(section);
      if (keys != null && node != null && !node.isNull()) {
        if (!node.isObject()) {
          throw new ConfigException(file + ": '" + section + "' must be a mapping");
        }
        for (Iterator<String> k = node.fieldNames(); k.hasNext(); ) {
          String key = k.next();
          if (!keys.contains(key)) {
            throw new ConfigException(file + ": unknown key '" + section + "." + key + "' (known: " + keys + ")");
          }
        }
      }
    }
  }

  /** ISO-8601 durations (PT15M) or a number with a unit: 500ms, 20s, 15m, 12h. */
  private static Duration parseDuration(String s) {
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return Duration.parse(s);
      }
      if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      if (s.endsWith("s")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      if (s.endsWith("m")) return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
    } catch (NumberFormatException | DateTimeParseException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("'" + s + "' is not a duration such as 500ms, 20s, 15m, 12h or PT15M");
  }

  /** A least duration as the file would give it: 1ms, 100ms, 1m. */
  private static String shown(Duration d) {
    if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** Typed look-ups with the environment first, then the file, then the default. */
  private final class Reader {
    private final Path file;
    private final JsonNode root;

    Reader(Path file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    private JsonNode node(String key) {
      JsonNode n = root;
      for (String part : key.split("\\.")) {
        n = n.path(part);
      }
      return n;
    }

    <T> T value(String envKey, String key, T fallback, Function<String, T> parse) {
      if (envKey != null) {
        String v = env.get(envKey);
        if (v != null && !v.isBlank()) {
          try {
            return parse.apply(v.strip());
          } catch (RuntimeException e) {
            throw new ConfigException("environment variable " + envKey + " (" + key + "): " + e.getMessage(), e);
          }
        }
      }
      JsonNode n = node(key);
      if (n.isMissingNode() || n.isNull()) {
        return fallback;
      }
      if (!n.isValueNode()) {
        throw new ConfigException(file + ": '" + key + "' must be a single value");
      }
      try {
        return parse.apply(n.asText().strip());
      } catch (RuntimeException e) {
        throw new ConfigException(file + ": '" + key + "': " + e.getMessage(), e);
      }
    }

    String text(String envKey, String key, String fallback) {
      return value(envKey, key, fallback, s -> s);
    }

    int integer(String envKey, String key, int fallback, int min, int max) {
      return value(envKey, key, fallback, s -> {
        int n;
        try {
          n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + s + "' is not a whole number");
        }
        if (n < min || n > max) {
          throw new IllegalArgumentException(n + " is outside " + min + ".." + max);
        }
        return n;
      });
    }

    boolean bool(String envKey, String key, boolean fallback) {
      return value(envKey, key, fallback, s -> switch (s.toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "on", "1" -> true;
        case "false", "no", "off", "0" -> false;
        default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
      });
    }

    /** ISO-8601 durations (PT15M) or a number with a unit: 500ms, 20s, 15m, 12h. */
    Duration duration(String envKey, String key, Duration fallback) {
      return value(envKey, key, fallback, ConfigLoader::parseDuration);
    }

    /**
     * As {@link #duration(String, String, Duration)}, refusing a value below {@code least}. Checked while the value is
     * read, so the error names where the value came from: the environment variable, or the file and its key.
     */
    Duration duration(String envKey, String key, Duration fallback, Duration least) {
      return value(envKey, key, fallback, s -> {
        Duration d = parseDuration(s);
        if (d.compareTo(least) < 0) {
          throw new IllegalArgumentException("'" + s + "' is too short: must be at least " + shown(least));
        }
        return d;
      });
    }

    List<String> list(String key) {
      JsonNode n = node(key);
      if (n.isMissingNode() || n.isNull()) {
        return List.of();
      }
      if (!n.isArray()) {
        throw new ConfigException(file + ": '" + key + "' must be a list");
      }
      List<String> out = new ArrayList<>();
      n.forEach(e -> out.add(e.asText()));
      return out;
    }
  }
}

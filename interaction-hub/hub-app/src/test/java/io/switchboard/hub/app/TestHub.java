package io.switchboard.hub.app;

import io.switchboard.hub.app.config.ConfigLoader;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole hub in the test JVM, on a database and Redis key prefix of its own (the JVM's shared embedded
 * servers), serving on a free port with the demo seed of config/demo. Plain JDK HTTP client helpers.
 */
public final class TestHub implements AutoCloseable {
  public static final String DEMO_API_KEY = "sbk_demo_inbound_key_for_trying_switchboard_only";

  private final Hub hub;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Map<String, String> env;
  private final Path configDirUsed;

  private TestHub(Hub hub, Map<String, String> env, Path configDirUsed) {
    this.hub = hub;
    this.base = "http://127.0.0.1:" + hub.httpPort();
    this.env = env;
    this.configDirUsed = configDirUsed;
  }

  /** A hub with the demo seed, on fresh storage. */
  public static TestHub start() {
    return start(Map.of());
  }

  /** A hub with extra SWITCHBOARD_* settings on top of the test defaults. */
  public static TestHub start(Map<String, String> overrides) {
    return start(overrides, null);
  }

  /**
   * A hub with extra settings and, when {@code routingYaml} is given, its own routing rules (the rest of
   * config/ is copied to a temporary folder beside it).
   */
  public static TestHub start(Map<String, String> overrides, String routingYaml) {
    return startWith(overrides, routingYaml == null ? configDir() : configWithRules(routingYaml));
  }

  /**
   * A second hub on the same PostgreSQL database, Redis prefix and config as this one. It keeps this hub's demo
   * setting: a node started with the demo off disables the demo accounts for every node (the seed itself runs once).
   */
  public TestHub sibling() {
    Map<String, String> env = new HashMap<>(this.env);
    return new TestHub(Hub.start(new ConfigLoader(env).load(configDirUsed), env), env, configDirUsed);
  }

  /**
   * A second hub on the same PostgreSQL database and Redis prefix as this one, on its own config folder (for example a
   * voice channel on another FastAGI port).
   */
  public TestHub sibling(Path configDir) {
    Map<String, String> env = new HashMap<>(this.env);
    return new TestHub(Hub.start(new ConfigLoader(env).load(configDir), env), env, configDir);
  }

  /** A copy of config/ with {@code routingYaml} as its routing.yaml. */
  public static Path configWithRules(String routingYaml) {
    try {
      Path dir = Files.createTempDirectory("switchboard-config-");
      Path source = configDir();
      try (var files = Files.walk(source)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path target = dir.resolve(source.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      Files.writeString(dir.resolve("routing.yaml"), routingYaml);
      return dir;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The settings every test hub starts from: a new database (already migrated, without the demo seed: a hub started on
   * it with the demo on seeds it) and Redis key prefix on the JVM's shared servers,
   * a free port on loopback, cheap password hashing. Callers add their own on top.
   */
  public static Map<String, String> freshEnv() {
    Map<String, String> env = envWithoutDatabase();
    // A copy of the JVM's migrated template: the hub's own migration at start only validates.
    env.put("SWITCHBOARD_PG_URL", DemoDatabases.migrated());
    return env;
  }

  /** {@link #freshEnv()} but for the database. */
  private static Map<String, String> envWithoutDatabase() {
    TestServers servers = TestServers.get();
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_REDIS_URL", servers.redis().url());
    env.put("SWITCHBOARD_REDIS_PREFIX", servers.newRedisPrefix());
    env.put("SWITCHBOARD_HTTP_PORT", "0");
    env.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_BCRYPT_COST", "4");
    // A changed routing.yaml or console.yaml is seen within 200 ms, so tests of reloads do not wait on 2-s polls.
    env.put("SWITCHBOARD_CONFIG_POLL_EVERY", "200ms");
    return env;
  }

  /** A hub with extra settings on the given config folder (for example one from {@link #configWithChannel}). */
  public static TestHub startWith(Map<String, String> overrides, Path configDir) {
    Map<String, String> env = envWithoutDatabase();
    env.putAll(overrides);
    if (!env.containsKey("SWITCHBOARD_PG_URL")) {
      // A copy of a migrated template; with the demo on, of one the demo seed was applied to once in this JVM (the
      // hub then skips the seed, as on a restart). The settings are read first to know which (the URL is a stand-in).
      Map<String, String> probe = new HashMap<>(env);
      probe.put("SWITCHBOARD_PG_URL", "postgresql://postgres@127.0.0.1:5432/not_used");
      env.put("SWITCHBOARD_PG_URL", DemoDatabases.forHub(new ConfigLoader(probe).load(configDir)));
    }
    return new TestHub(Hub.start(new ConfigLoader(env).load(configDir), env), env, configDir);
  }

  /**
   * A copy of config/ (with {@code routingYaml} as its routing.yaml, or the repository's when null) whose
   * switchboard.yaml has a {@code channels.<name>} section with these settings.
   */
  @SuppressWarnings("unchecked")
  public static Path configWithChannel(String routingYaml, String name, Map<String, Object> settings) {
    try {
      Path dir = configWithRules(routingYaml != null ? routingYaml : Files.readString(configDir().resolve("routing.yaml")));
      var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
      Path file = dir.resolve("switchboard.yaml");
      Map<String, Object> root = yaml.readValue(file.toFile(), java.util.LinkedHashMap.class);
      Map<String, Object> channels = new java.util.LinkedHashMap<>((Map<String, Object>) root.getOrDefault("channels", Map.of()));
      channels.put(name, settings);
      root.put("channels", channels);
      yaml.writeValue(file.toFile(), root);
      return dir;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** This hub's PostgreSQL URL ({@code postgresql://user@host:port/database}). */
  public String postgresUrl() {
    return env.get("SWITCHBOARD_PG_URL");
  }

  /** Adds (or replaces) the {@code channels.<name>} section of the switchboard.yaml in {@code dir}. */
  @SuppressWarnings("unchecked")
  public static Path addChannel(Path dir, String name, Map<String, Object> settings) {
    try {
      var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
      Path file = dir.resolve("switchboard.yaml");
      Map<String, Object> root = yaml.readValue(file.toFile(), java.util.LinkedHashMap.class);
      Map<String, Object> channels = new java.util.LinkedHashMap<>((Map<String, Object>) root.getOrDefault("channels", Map.of()));
      channels.put(name, settings);
      root.put("channels", channels);
      yaml.writeValue(file.toFile(), root);
      return dir;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Puts {@code key: value} into section {@code section} of the switchboard.yaml in {@code dir} (such as security.rights). */
  @SuppressWarnings("unchecked")
  public static Path setting(Path dir, String section, String key, Object value) {
    try {
      var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
      Path file = dir.resolve("switchboard.yaml");
      Map<String, Object> root = yaml.readValue(file.toFile(), java.util.LinkedHashMap.class);
      Map<String, Object> s = new java.util.LinkedHashMap<>((Map<String, Object>) root.getOrDefault(section, Map.of()));
      s.put(key, value);
      root.put(section, s);
      yaml.writeValue(file.toFile(), root);
      return dir;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** This hub's Redis key prefix. */
  public String redisPrefix() {
    return env.get("SWITCHBOARD_REDIS_PREFIX");
  }

  /** The config folder this hub was started with. */
  public Path configDirUsed() {
    return configDirUsed;
  }

  /** The repository's config/ folder (Surefire passes it; IDE runs find it relative to the module). */
  public static Path configDir() {
    String p = System.getProperty("switchboard.config.dir");
    if (p != null) {
      return Path.of(p);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("config/switchboard.yaml"))) {
        return dir.resolve("config");
      }
    }
    throw new IllegalStateException("cannot find config/switchboard.yaml");
  }

  public Hub hub() {
    return hub;
  }

  public String baseUrl() {
    return base;
  }

  /** Logs in and returns the bearer token. */
  public String login(String username, String password) {
    Response r = post("/api/v1/auth/login", null, new JsonObject().put("username", username).put("password", password).encode());
    if (r.status() != 200) {
      throw new AssertionError("login of " + username + " failed: " + r.status() + " " + r.body());
    }
    return r.json().getString("token");
  }

  public Response get(String path, String authorization) {
    return send(builder(path, authorization).GET());
  }

  public Response delete(String path, String authorization) {
    return send(builder(path, authorization).DELETE());
  }

  public Response put(String path, String authorization, String json) {
    return send(builder(path, authorization).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response post(String path, String authorization, String json) {
    return send(builder(path, authorization).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response patch(String path, String authorization, String json) {
    return send(builder(path, authorization).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Sends any request (for odd content types, methods or bodies). */
  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
          r.headers().firstValue("Location").orElse(null), r.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpRequest.Builder builder(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  public static String apiKey(String key) {
    return "ApiKey " + key;
  }

  @Override
  public void close() {
    hub.stop();
  }

  /** An HTTP response, body as text. */
  public record Response(int status, String contentType, String body, String location, String retryAfter) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public io.vertx.core.json.JsonArray jsonArray() {
      return new io.vertx.core.json.JsonArray(body);
    }

    public boolean isProblem() {
      return contentType.startsWith("application/problem+json");
    }
  }
}

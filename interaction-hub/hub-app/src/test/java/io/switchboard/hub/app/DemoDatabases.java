package io.switchboard.hub.app;

import io.switchboard.hub.app.config.SwitchboardConfig;
import io.switchboard.hub.app.demo.DemoSeed;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.PasswordHasher;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.PgUrls;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.SessionStore;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Databases for test hubs, copies of templates made once per test JVM ({@link TestServers}): the migrated schema, or,
 * for a hub with the demo on, the schema with the demo seed already applied. A hub started on a seeded copy finds the
 * seed's marker and skips it, as a production hub does on every restart; the seed itself (a few hundred inserts, each
 * its own transaction) then runs once per JVM instead of once per hub.
 *
 * <p>The seeded template is made by the hub's own {@link DemoSeed} over the same services the hub wires, and is keyed
 * by everything the seeded rows depend on: the demo folder's files, the demo API key, the password hashing cost and the
 * default phone region. A hub whose settings differ in any of these gets a template of its own.
 */
final class DemoDatabases {
  private DemoDatabases() {}

  /** A migrated database of its own for a hub started with {@code config}: seeded when the demo is on. */
  static String forHub(SwitchboardConfig config) {
    if (!config.demo().enabled()) {
      return migrated();
    }
    return TestServers.get().newPreparedDatabase(key(config), DemoDatabases::migrate, url -> seed(url, config));
  }

  /** A migrated database of its own, without any data. */
  static String migrated() {
    return TestServers.get().newMigratedDatabase(DemoDatabases::migrate);
  }

  private static void migrate(String url) {
    Migrations.apply(PgUrls.parse(url, null));
  }

  private static String key(SwitchboardConfig config) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Path demo = config.configDir().resolve("demo");
      List<Path> files;
      try (Stream<Path> walk = Files.walk(demo)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        sha.update(demo.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Files.readAllBytes(f));
        sha.update((byte) 0);
      }
      String settings = config.demo().apiKey() + "\0" + config.security().bcryptCost() + "\0"
          + config.customers().defaultRegion();
      sha.update(settings.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "demo-seed-" + HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Applies the demo seed to the database at {@code url} as a hub started with {@code config} would. */
  private static void seed(String url, SwitchboardConfig config) {
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.connect(vertx, url, null, 2);
      RedisStore redis = RedisStore.connect(vertx, TestServers.get().redis().url(), null, TestServers.get().newRedisPrefix());
      try {
        Stores stores = Stores.over(db);
        var security = config.security();
        AuthService auth = new AuthService(vertx, stores, new SessionStore(redis), new PasswordHasher(security.bcryptCost()),
            new AuthService.Settings(security.sessionTtl(), security.maxFailedLogins(), security.failureWindow(),
                security.authCacheTtl()));
        CustomerService customers = new CustomerService(vertx, stores, new IdentityNormalizer(config.customers().defaultRegion()));
        AgentService agents = new AgentService(stores, auth, AgentService.CapacityDefaults.standard());
        new DemoSeed(config.configDir().resolve("demo"), stores, agents, customers, auth, config.demo().apiKey()).runOnce()
            .compose(x -> auth.accounts().markDemoSeeded())
            // Once per JVM, and on a cold JVM: generous, as a machine at load 50 took over two minutes for it.
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      } finally {
        redis.close();
        db.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while seeding the demo template", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the demo seed of the template failed", e);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}

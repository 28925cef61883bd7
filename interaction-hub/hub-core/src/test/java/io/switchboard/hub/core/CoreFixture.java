package io.switchboard.hub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.PasswordHasher;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.intake.IntakeService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.PgUrls;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.SessionStore;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's core services over real servers: a Vertx, a fresh migrated database of the JVM's embedded
 * PostgreSQL, and a fresh key prefix on its embedded Redis. One per test class ({@code @BeforeAll} /
 * {@code @AfterAll}); tests in a class share the database, so they use addresses of their own ({@link #newMobile()}).
 */
public final class CoreFixture implements AutoCloseable {
  /** Three failed logins within a quarter of an hour lock a username. */
  public static final AuthService.Settings AUTH_SETTINGS =
      new AuthService.Settings(Duration.ofHours(8), 3, Duration.ofMinutes(15));

  public static final int POOL_SIZE = 10;

  public static final Principal ADMIN = new Principal.System("test");

  private static final AtomicLong numbers = new AtomicLong(10_000_000 + (System.nanoTime() & 0xFFFFFF));

  public final Vertx vertx;
  public final Database db;
  public final Stores stores;
  public final RedisStore redis;
  public final SessionStore sessions;
  public final IdentityNormalizer normalizer;
  public final IntakeService intake;
  public final CustomerService customers;
  public final AuthService auth;
  public final AgentService agents;

  private CoreFixture(String redisUrl) {
    TestServers servers = TestServers.get();
    vertx = Vertx.vertx();
    try {
      db = Database.connect(
          vertx, servers.newMigratedDatabase(url -> Migrations.apply(PgUrls.parse(url, null))), null, POOL_SIZE);
      redis = RedisStore.connect(vertx, redisUrl == null ? servers.redis().url() : redisUrl, null, servers.newRedisPrefix());
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    stores = Stores.over(db);
    sessions = new SessionStore(redis);
    normalizer = new IdentityNormalizer("DE");
    intake = new IntakeService(vertx, stores, normalizer);
    customers = new CustomerService(vertx, stores, normalizer);
    auth = new AuthService(vertx, stores, sessions, new PasswordHasher(4), AUTH_SETTINGS);
    agents = new AgentService(stores, auth, AgentService.CapacityDefaults.standard());
  }

  public static CoreFixture start() {
    return new CoreFixture(null);
  }

  /** As {@link #start()}, on the Redis at {@code redisUrl} (a test's own, to watch every command sent to it). */
  public static CoreFixture start(String redisUrl) {
    return new CoreFixture(redisUrl);
  }

  /** A German mobile number no other test uses, in E.164 ({@code +49151xxxxxxxx}). */
  public static String newMobile() {
    return "+49151" + (numbers.incrementAndGet() % 90_000_000 + 10_000_000);
  }

  /** {@code +49151xxxxxxxx} written the national way: {@code 0151 xxxxxxxx}. */
  public static String national(String e164) {
    assertThat(e164).startsWith("+49");
    return "0" + e164.substring(3, 6) + " " + e164.substring(6);
  }

  /** Waits for {@code future} and returns its result; a failure fails the test with its cause. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for {@code future} to fail with {@code type} and returns the failure. */
  public static <E extends Throwable> E awaitFailure(Future<?> future, Class<E> type) {
    Object value;
    try {
      value = future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(type);
      return type.cast(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return fail("expected a " + type.getSimpleName() + ", succeeded with " + value);
  }

  /** Runs a {@code SELECT count(*) ...} on the database. */
  public long count(String sql, Object... params) {
    Row row = await(db.pool().preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
    return row.getLong(0);
  }

  /** Opens every connection of the pool (they open lazily), so that concurrent work really runs in parallel. */
  public void openAllConnections() {
    List<Future<?>> sleeps = new ArrayList<>();
    for (int i = 0; i < POOL_SIZE; i++) {
      sleeps.add(db.pool().query("SELECT pg_sleep(0.05)").execute());
    }
    await(Future.all(sleeps));
  }

  @Override
  public void close() {
    try {
      redis.close();
    } finally {
      db.close();
      await(vertx.close());
    }
  }
}

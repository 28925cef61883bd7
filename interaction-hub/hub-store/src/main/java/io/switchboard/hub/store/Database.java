package io.switchboard.hub.store;

import io.switchboard.hub.api.error.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * The hub's PostgreSQL connection pool. Stores take a {@link io.vertx.sqlclient.SqlClient} so the same
 * statement runs on the pool or inside a transaction opened with {@link #inTransaction}.
 *
 * <p>hub-core does not hold SQL client types (ArchitectureTest): it opens transactions with {@link #transaction},
 * whose work gets an opaque {@link StoreTransaction}, and passes the database itself as the {@link StoreScope} of
 * reads that need no transaction. Store methods taking a {@code SqlClient} are for hub-store, its tests and the
 * services that have not moved to the handles yet (they reach the pool through {@link #pool()}).
 */
public final class Database extends StoreScope implements AutoCloseable {
  static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(5);
  /**
   * How long a statement waits for a pooled connection while all are busy, unless told otherwise (vertx-sql-client's own
   * default); then it fails, and the HTTP edge answers 503 with Retry-After ({@link BackendFailures}).
   */
  public static final java.time.Duration DEFAULT_POOL_WAIT = java.time.Duration.ofSeconds(30);
  private final Pool pool;
  private final PgConnectOptions options;

  private Database(Pool pool, PgConnectOptions options) {
    this.pool = pool;
    this.options = options;
  }

  /**
   * Creates a pool; connections are opened lazily.
   *
   * @param url a {@code postgresql://user[:password]@host[:port]/database} URL
   */
  public static Database connect(Vertx vertx, String url, String password, int maxSize) {
    return connect(vertx, url, password, maxSize, DEFAULT_POOL_WAIT);
  }

  /**
   * Creates a pool of at most {@code maxSize} connections, opened lazily; a statement that finds them all busy waits
   * at most {@code poolWait} for one, then fails ({@link BackendFailures#unavailable} recognises that failure).
   *
   * @param url a {@code postgresql://user[:password]@host[:port]/database} URL
   */
  public static Database connect(Vertx vertx, String url, String password, int maxSize, java.time.Duration poolWait) {
    PgConnectOptions options = PgUrls.parse(url, password);
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(maxSize).setName("switchboard-pg-" + options.getDatabase())
                .setConnectionTimeout((int) Math.max(1, poolWait.toMillis()))
                .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS))
            // A PostgreSQL that does not take a connection within this time counts as down (answered 503), rather
            // than holding requests for the driver's default minute.
            .with(new io.vertx.core.net.NetClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()))
            .connectingTo(options)
            .using(vertx)
            .build();
    return new Database(pool, options);
  }

  public Pool pool() {
    return pool;
  }

  public PgConnectOptions options() {
    return options;
  }

  /**
   * Runs {@code work} in one transaction: committed when its future succeeds, rolled back when it fails (vertx-sql-client's
   * {@code Pool.withTransaction}). The work passes the {@link StoreTransaction} to store methods and cannot run SQL with
   * it; it must not keep the handle beyond its future. Work that throws rolls back like work that fails.
   */
  public <T> Future<T> transaction(Function<StoreTransaction, Future<T>> work) {
    return pool.withTransaction(connection -> {
      try {
        return work.apply(new StoreTransaction(connection));
      } catch (RuntimeException e) {
        // Work that throws instead of failing its future still rolls back.
        return Future.failedFuture(e);
      }
    });
  }

  @Override
  SqlClient client() {
    return pool;
  }

  /**
   * Runs {@code work} in one transaction on the connection itself: committed when its future succeeds, rolled back
   * when it fails. For hub-store and the services not yet moved to {@link #transaction}.
   */
  public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work);
  }

  /** Succeeds when PostgreSQL answers a query. */
  public Future<Void> ping() {
    return pool.query("SELECT 1")
        .execute()
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new UnavailableException("PostgreSQL: " + e.getMessage(), e)));
  }

  @Override
  public void close() {
    pool.close();
  }
}

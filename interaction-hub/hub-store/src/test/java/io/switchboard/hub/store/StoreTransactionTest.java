package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Database#transaction}: hub-core's unit of work commits or rolls back by its future's outcome. */
@DisplayName("a store transaction")
class StoreTransactionTest {
  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static Customer customer(String name) {
    return new Customer(CustomerId.random(), name, null, null, Map.of(), null, null, 1, Instant.now(), null);
  }

  @Test
  void transactionShouldCommitEveryWriteWhenItsFutureSucceeds() {
    Customer c = customer("Committed");

    Await.result(f.db.transaction(tx -> f.stores.customers().insert(tx, c)
        .compose(x -> f.stores.audit().append(tx, "test", "customer.created", "customer", c.id().toString(), null))));

    assertThat(Await.result(f.stores.customers().find(f.db, c.id()))).isPresent();
    assertThat(Await.result(f.pool.preparedQuery("SELECT count(*) FROM audit_log WHERE entity_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(c.id().toString()))).iterator().next().getLong(0)).isEqualTo(1L);
  }

  @Test
  void transactionShouldRollBackEveryWriteWhenItsFutureFails() {
    Customer c = customer("Rolled back");

    Throwable failure = Await.failure(f.db.transaction(tx -> f.stores.customers().insert(tx, c)
        .compose(x -> f.stores.audit().append(tx, "test", "customer.created", "customer", c.id().toString(), null))
        .compose(x -> Future.failedFuture(new IllegalStateException("decided against it")))));

    assertThat(failure).hasMessage("decided against it");
    assertThat(Await.result(f.stores.customers().find(f.db, c.id()))).isEmpty();
    assertThat(Await.result(f.pool.preparedQuery("SELECT count(*) FROM audit_log WHERE entity_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(c.id().toString()))).iterator().next().getLong(0)).isZero();
  }

  @Test
  void transactionShouldRollBackWhenTheWorkThrowsBeforeReturningAFuture() {
    Customer c = customer("Thrown");

    Throwable failure = Await.failure(f.db.<Optional<Customer>>transaction(tx -> {
      f.stores.customers().insert(tx, c);
      throw new IllegalArgumentException("bad input");
    }));

    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(Await.result(f.stores.customers().find(f.db, c.id()))).isEmpty();
  }

  @Test
  void rowLockShouldBeTakenInsideTheTransactionThatHoldsIt() {
    Customer c = Await.result(f.db.transaction(tx -> f.stores.customers().insert(tx, customer("Locked"))));

    Optional<Customer> locked = Await.result(f.db.transaction(tx -> f.stores.customers().findForUpdate(tx, c.id())
        .compose(found -> f.stores.customers().update(tx, new Customer(c.id(), "Renamed", null, null, Map.of(), null,
            null, c.version(), c.createdAt(), null), c.version()))));

    assertThat(locked).map(Customer::displayName).contains("Renamed");
    assertThat(Await.result(f.stores.customers().find(f.db, c.id()))).map(Customer::version).contains(c.version() + 1);
  }
}

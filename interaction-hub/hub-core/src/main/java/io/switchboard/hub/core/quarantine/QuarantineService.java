package io.switchboard.hub.core.quarantine;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.QuarantineStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What adapters set aside because they could not take it in (an email that cannot be parsed, a bounce for a
 * message the hub never sent): supervisors and admins list it, download the raw message and dismiss it once
 * handled. Agents see none of it (it may hold any customer's mail). Dismissals are audited.
 */
public final class QuarantineService {
  private final Stores stores;

  public QuarantineService(Stores stores) {
    this.stores = stores;
  }

  /** Newest first, after the keyset cursor when given; dismissed ones only when asked. */
  public Future<List<QuarantineStore.Entry>> list(Principal.Staff viewer, boolean includeDismissed, Instant beforeAt,
      UUID beforeId, int limit) {
    return check(viewer).compose(x -> stores.quarantine().list(stores.db().pool(), includeDismissed, beforeAt, beforeId, limit));
  }

  /** One item and its raw bytes. */
  public Future<QuarantineStore.Raw> raw(Principal.Staff viewer, UUID id) {
    return check(viewer).compose(x -> stores.quarantine().raw(stores.db().pool(), id))
        .compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
            : Future.failedFuture(new NotFoundException("no quarantined message " + id)));
  }

  /** Marks an item handled; 404 when unknown, idempotent when dismissed already. */
  public Future<QuarantineStore.Entry> dismiss(Principal.Staff viewer, UUID id) {
    String actor = "agent:" + viewer.agentId();
    return check(viewer).compose(x -> stores.db().inTransaction(tx -> stores.quarantine().dismiss(tx, id, actor)
        .compose(changed -> changed
            ? stores.audit().append(tx, actor, "quarantine.dismissed", "quarantine", id.toString(), new JsonObject())
            : Future.succeededFuture())
        .compose(x2 -> stores.quarantine().find(tx, id))))
        .compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
            : Future.failedFuture(new NotFoundException("no quarantined message " + id)));
  }

  /**
   * Sets aside what an adapter could not take in; true when stored, false when the same (channel, reference) was set
   * aside before.
   */
  public Future<Boolean> setAside(io.switchboard.hub.api.spi.Quarantine.Item item) {
    return stores.quarantine().insert(stores.db().pool(), item);
  }

  /** How many items wait for a supervisor. */
  public Future<Long> openCount(Principal.Staff viewer) {
    return check(viewer).compose(x -> stores.quarantine().openCount(stores.db().pool()));
  }

  private static Future<Void> check(Principal.Staff viewer) {
    return viewer.role().atLeast(Role.SUPERVISOR) ? Future.succeededFuture()
        : Future.failedFuture(new ForbiddenException("only supervisors and admins see set-aside messages"));
  }
}

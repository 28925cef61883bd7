package io.switchboard.hub.core.audit;

import io.switchboard.hub.store.AuditStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.util.List;

/**
 * Reading the audit log (what staff, integrations and the hub's jobs changed), for admins. Entries are written by the
 * services that make the changes, in the same transaction; this class only reads them, newest first.
 *
 * <p>Threading: futures complete on the caller's context; no state is kept.
 */
public final class AuditLog {
  private final Stores stores;

  public AuditLog(Stores stores) {
    this.stores = stores;
  }

  /**
   * Entries matching {@code filter} (null fields match anything), newest first, at most {@code limit}; {@code before}
   * (an entry id, or null for the newest) pages backwards.
   */
  public Future<List<AuditStore.Entry>> list(AuditStore.Filter filter, Long before, int limit) {
    return stores.audit().list(stores.db().pool(), filter, before, limit);
  }
}

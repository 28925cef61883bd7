package io.switchboard.hub.core.scheduling;

import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;

/**
 * Jobs that run once per database (the demo seed): each leaves a named marker ({@code system_markers}) when it
 * completes, so a later start skips it. A job interrupted before its marker runs again and must skip what it did.
 *
 * <p>Threading: futures complete on the caller's context; no state is kept.
 */
public final class OneTimeJobs {
  private final Stores stores;

  public OneTimeJobs(Stores stores) {
    this.stores = stores;
  }

  /** Whether the job named {@code name} completed on this database. */
  public Future<Boolean> done(String name) {
    return stores.markers().seen(stores.db().pool(), name);
  }

  /** Records that the job completed; false when it was recorded before. */
  public Future<Boolean> markDone(String name) {
    return stores.markers().markOnce(stores.db().pool(), name);
  }
}

package io.switchboard.hub.store;

import io.vertx.pgclient.PgException;

/** Recognises PostgreSQL's unique-violation (SQLSTATE 23505), the store's way of detecting duplicates. */
public final class UniqueViolation {
  private UniqueViolation() {}

  public static boolean is(Throwable t) {
    return t instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** True when {@code t} is a unique violation of the named constraint or index. */
  public static boolean on(Throwable t, String constraint) {
    return t instanceof PgException pg
        && "23505".equals(pg.getSqlState())
        && constraint.equals(pg.getConstraint());
  }
}

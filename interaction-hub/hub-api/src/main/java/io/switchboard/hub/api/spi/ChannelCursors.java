package io.switchboard.hub.api.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.time.Instant;
import java.util.Optional;

/**
 * How far an adapter has read a source it reads in order (a mailbox: its UIDVALIDITY and the last UID stored),
 * kept by the hub in PostgreSQL so that a restart, a dropped connection or another node taking over resumes
 * exactly there: nothing is missed and nothing is read twice.
 *
 * <p>A cursor is a position within an epoch. Positions only move forward within one epoch; a new epoch (the
 * server renumbered the mailbox) replaces the cursor. Sources are the adapter's own names: two adapters never
 * share a cursor. Futures complete on a Vert.x context; a failed future means PostgreSQL could not be reached:
 * the adapter should stop reading until it can record its progress again.
 */
public interface ChannelCursors {

  /**
   * A position in a source.
   *
   * @param epoch the numbering the positions belong to (IMAP UIDVALIDITY)
   * @param position the last position fully taken in (IMAP UID), 0 for none
   * @param updatedAt when it last moved
   */
  record Cursor(long epoch, long position, Instant updatedAt) {}

  /** The cursor of {@code source}, empty when the source was never read. */
  Future<Optional<Cursor>> get(String source);

  /**
   * Records that {@code source} has been read up to {@code position} in {@code epoch}: a position behind the stored
   * one in the same epoch changes nothing; another epoch replaces the cursor.
   *
   * @return the cursor in force afterwards
   */
  Future<Cursor> advance(String source, long epoch, long position);

  /** Cursors kept in this Vert.x instance only, for single-node use and tests. */
  static ChannelCursors onThisNode(Vertx vertx, String scope) {
    LocalMap<String, String> cursors = vertx.sharedData().getLocalMap("switchboard.channel.cursors." + scope);
    return new ChannelCursors() {
      @Override
      public Future<Optional<Cursor>> get(String source) {
        String v = cursors.get(source);
        return Future.succeededFuture(Optional.ofNullable(v == null ? null : parse(v)));
      }

      @Override
      public Future<Cursor> advance(String source, long epoch, long position) {
        while (true) {
          String current = cursors.get(source);
          Cursor now = current == null ? null : parse(current);
          if (now != null && now.epoch() == epoch && now.position() >= position) {
            return Future.succeededFuture(now);
          }
          String next = epoch + "|" + position + "|" + System.currentTimeMillis();
          boolean done = current == null ? cursors.putIfAbsent(source, next) == null : cursors.replaceIfPresent(source, current, next);
          if (done) {
            return Future.succeededFuture(parse(next));
          }
        }
      }

      private Cursor parse(String v) {
        String[] p = v.split("\\|");
        return new Cursor(Long.parseLong(p[0]), Long.parseLong(p[1]), Instant.ofEpochMilli(Long.parseLong(p[2])));
      }
    };
  }
}

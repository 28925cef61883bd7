package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * One adapter's read positions ({@code ChannelContext.cursors()}), kept in PostgreSQL ({@code channel_cursors}) under
 * the adapter's name. Positions only move forward.
 */
public final class StoredCursors implements ChannelCursors {
  private final Stores stores;
  private final String adapter;

  public StoredCursors(Stores stores, String adapter) {
    this.stores = stores;
    this.adapter = adapter;
  }

  @Override
  public Future<Optional<Cursor>> get(String source) {
    return stores.cursors().get(stores.db().pool(), adapter, source);
  }

  @Override
  public Future<Cursor> advance(String source, long epoch, long position) {
    return stores.cursors().advance(stores.db().pool(), adapter, source, epoch, position);
  }
}

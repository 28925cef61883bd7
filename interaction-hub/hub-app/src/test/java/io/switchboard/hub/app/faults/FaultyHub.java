package io.switchboard.hub.app.faults;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.FaultyServers;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A hub over its own PostgreSQL and Redis that a fault test class stops, restarts, cuts or kills ({@link FaultyServers}),
 * shared by the tests of the class: {@code @RegisterExtension static final FaultyHub faulty = new FaultyHub();}. Before
 * the class's tests it starts the servers, then a hub on them; after them it stops the hub, then the servers (also when
 * the hub failed to start).
 */
final class FaultyHub implements BeforeAllCallback, AfterAllCallback {
  private FaultyServers servers;
  private TestHub hub;

  @Override
  public void beforeAll(ExtensionContext context) {
    servers = FaultyServers.start();
    hub = TestHub.start(Map.of("SWITCHBOARD_PG_URL", servers.postgresUrl(), "SWITCHBOARD_REDIS_URL", servers.redisUrl()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (hub != null) {
        hub.close();
      }
    } finally {
      if (servers != null) {
        servers.close();
      }
    }
  }

  /** The servers, to stop, restart, cut or kill. */
  FaultyServers servers() {
    return servers;
  }

  /** The hub on them. */
  TestHub hub() {
    return hub;
  }
}

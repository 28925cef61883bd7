package io.switchboard.hub.core.routing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the routing tests that start each test on a fresh {@link RoutingTestBed} with the {@link
 * RoutingTestBed#ONE_QUEUE} rules (in {@link #bed}), closed after the test whatever happened.
 */
abstract class FreshRoutingBed {
  /** This test's bed: its own PostgreSQL database, Redis key prefix and routing runtime. */
  RoutingTestBed bed;

  @BeforeEach
  void startBed(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir);
  }

  @AfterEach
  void closeBed() {
    if (bed != null) {
      bed.close();
    }
  }
}

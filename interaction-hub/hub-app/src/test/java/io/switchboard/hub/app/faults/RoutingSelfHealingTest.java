package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.FaultyServers;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #17, items 1 and 2: the live routing state in Redis heals itself while the hub runs. Contacts acknowledged
 * while Redis was away, and contacts waiting when Redis lost its data, reach an agent once Redis is back, without a
 * restart or an admin's rebuild. The reconciler runs every second here ({@code SWITCHBOARD_ROUTING_RECONCILE_EVERY}).
 */
class RoutingSelfHealingTest {
  /** Every contact is offered within this time after Redis is back (reconnect up to a few seconds, then rounds of 1 s). */
  static final Duration RECOVERY = Duration.ofSeconds(30);
  static final String RULES = """
      settings:
        offerTimeout: 15s
        pauseAgentOnOfferTimeout: false
        stickyAgentWindow: 0s
        afterCallWork: 0s
        wrapUpRequired: false
      skills: [billing, english]
      queues:
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
      rules:
        - name: default
          queue: general
      """;

  static FaultyServers servers;
  static TestHub hub;
  LiveConsole alice;

  @BeforeAll
  static void start() {
    servers = FaultyServers.start();
    hub = TestHub.start(Map.of("SWITCHBOARD_PG_URL", servers.postgresUrl(), "SWITCHBOARD_REDIS_URL", servers.redisUrl(),
        "SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s"), RULES);
  }

  @AfterAll
  static void stop() {
    try {
      if (hub != null) {
        hub.close();
      }
    } finally {
      servers.close();
    }
  }

  @AfterEach
  void closeConsole() {
    if (alice != null) {
      alice.close();
    }
  }

  @Test
  void contactsAcknowledgedWhileRedisWasDownAreOfferedOnceItIsBack() throws Exception {
    alice = LiveConsole.working(hub.hub().vertx(), hub.hub().httpPort(), () -> login(hub, "alice")).connect();
    String run = "down-" + UUID.randomUUID().toString().substring(0, 8);
    // Redis away: intake stores the contacts in PostgreSQL and acknowledges them; routing cannot queue them live.
    servers.stopRedis();
    List<String> acked = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      acked.add(contact(run + "-" + i));
    }
    servers.startRedis();

    awaitOffered(acked);
    // The offer is stored before its event reaches the console: wait for the frames too.
    awaitConsoleOffered(alice, acked);
    assertThat(alice.offered).as("offered to the connected agent").containsAll(acked);
  }

  @Test
  void contactsWaitingWhenRedisLosesItsDataAreOfferedWithoutARestart() throws Exception {
    String run = "lost-" + UUID.randomUUID().toString().substring(0, 8);
    // Nobody is available: the contacts wait in the live waiting set.
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(contact(run + "-" + i));
    }
    awaitState(waiting, "queued");
    servers.stopRedisAndLoseItsData();
    servers.startRedis();

    // An agent logs in again (the sessions went with Redis) and goes available.
    alice = LiveConsole.working(hub.hub().vertx(), hub.hub().httpPort(), () -> login(hub, "alice")).connect();
    awaitOffered(waiting);
    // The offer is stored before its event reaches the console: wait for the frames too.
    awaitConsoleOffered(alice, waiting);
    assertThat(alice.offered).as("offered to the agent who came back").containsAll(waiting);
  }

  @Test
  void redisFlushedWhileTheHubRunsIsRebuiltWithoutARestart() throws Exception {
    String run = "flush-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(contact(run + "-" + i));
    }
    awaitState(waiting, "queued");
    awaitLive(waiting);
    // The connection never drops: only the periodic check can notice.
    try (var redis = io.lettuce.core.RedisClient.create(servers.redisUrl()); var c = redis.connect()) {
      c.sync().flushall();
    }
    awaitLive(waiting);
    assertThat(liveWaiting().keySet()).as("waiting in their original order").containsSubsequence(waiting);
  }

  @Test
  void aQueuedInteractionMissingFromTheLiveWaitingSetWaitsAgainAtItsPlace() throws Exception {
    String run = "gap-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(contact(run + "-" + i));
    }
    awaitState(waiting, "queued");
    awaitLive(waiting);
    Map<String, Double> before = liveWaiting();
    // Its live entry is lost (as when the enqueue failed after the commit) while the rest of Redis is fine.
    try (var redis = io.lettuce.core.RedisClient.create(servers.redisUrl()); var c = redis.connect()) {
      c.sync().zrem(prefix() + "rt:waiting", waiting.get(1));
      c.sync().del(prefix() + "rt:w:" + waiting.get(1));
    }
    awaitLive(waiting);
    Map<String, Double> after = liveWaiting();
    assertThat(after.get(waiting.get(1))).as("its place in line (waiting since)").isEqualTo(before.get(waiting.get(1)));
    assertThat(after.keySet()).containsSubsequence(waiting);
  }

  // ------------------------------------------------------------------ helpers

  static String prefix() {
    String p = hub.redisPrefix();
    return p == null ? "sb:" : p;
  }

  /** The live waiting set: interaction id → waiting-since score, in order. */
  static Map<String, Double> liveWaiting() {
    try (var redis = io.lettuce.core.RedisClient.create(servers.redisUrl()); var c = redis.connect()) {
      Map<String, Double> out = new java.util.LinkedHashMap<>();
      c.sync().zrangeWithScores(prefix() + "rt:waiting", 0, -1).forEach(v -> out.put(v.getValue(), v.getScore()));
      return out;
    }
  }

  /** Waits until every interaction is in the live waiting set (with its item), failing after {@link #RECOVERY}. */
  static void awaitLive(List<String> ids) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Double> w = liveWaiting();
      boolean items;
      try (var redis = io.lettuce.core.RedisClient.create(servers.redisUrl()); var c = redis.connect()) {
        items = ids.stream().allMatch(id -> c.sync().exists(prefix() + "rt:w:" + id) == 1);
      }
      if (w.keySet().containsAll(ids) && items) {
        return;
      }
      sleep(250);
    }
    throw new AssertionError("interactions not in the live waiting set " + RECOVERY.toSeconds() + " s later: " + ids);
  }

  static String login(TestHub hub, String user) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return hub.login(user, user + "-demo-pw");
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(500);
      }
    }
  }

  static String contact(String externalId) {
    var r = hub.post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "chat")
        .put("externalId", externalId).put("threadKey", externalId)
        .put("sender", new JsonObject().put("kind", "email").put("value", externalId + "@heal.example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hello")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("interactionId");
  }

  /** Waits until every interaction was offered to an agent (PostgreSQL's offered_at), failing after {@link #RECOVERY}. */
  static void awaitOffered(List<String> ids) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    List<String> missing = notOffered(servers, ids);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      sleep(250);
      missing = notOffered(servers, ids);
    }
    assertThat(missing).as("acknowledged contacts not offered to any agent %s s after recovery", RECOVERY.toSeconds()).isEmpty();
  }

  static void awaitConsoleOffered(LiveConsole console, List<String> ids) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (!console.offered.containsAll(ids) && System.nanoTime() < deadline) {
      sleep(100);
    }
  }

  static void awaitState(List<String> ids, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (count(servers, ids, "state = '" + state + "'") == ids.size()) {
        return;
      }
      sleep(100);
    }
    throw new AssertionError("interactions did not reach state " + state);
  }

  /** Interactions among {@code ids} never offered to an agent. */
  static List<String> notOffered(FaultyServers servers, List<String> ids) throws Exception {
    try (Connection c = connect(servers);
        PreparedStatement st = c.prepareStatement("SELECT id::text FROM interactions WHERE id::text = ANY(?) AND offered_at IS NULL")) {
      st.setArray(1, c.createArrayOf("text", ids.toArray()));
      List<String> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (java.sql.SQLException e) {
      return ids; // PostgreSQL is away in this moment: nothing is known to be offered
    }
  }

  static int count(FaultyServers servers, List<String> ids, String where) throws Exception {
    try (Connection c = connect(servers);
        PreparedStatement st = c.prepareStatement("SELECT count(*) FROM interactions WHERE id::text = ANY(?) AND " + where)) {
      st.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static Connection connect(FaultyServers servers) throws java.sql.SQLException {
    // The test's own PostgreSQL demands the password its URL carries (embedded servers are never open without one).
    return io.switchboard.hub.testsupport.TestServers.connect(servers.postgresUrl());
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("routing on two hub nodes sharing PostgreSQL and Redis")
class MultiNodeRoutingTest {

  @Test
  void twoNodesUnderConcurrentLoadNeverOfferOneInteractionTwiceNorOverfillAnAgent() throws Exception {
    String rules = RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s");
    try (TestHub a = TestHub.start(Map.of(), rules); TestHub b = a.sibling()) {
      RoutingFixture fa = new RoutingFixture(a);
      RoutingFixture fb = new RoutingFixture(b);
      try {
        // Five agents with chat capacity 3 (bob 2): 14 chat slots; agents register on both nodes.
        List<String> tokens = List.of(fa.available("alice"), fb.available("bob"), fa.available("chen"),
            fb.available("dilara"), fa.available("emma"));
        int slots = 3 + 2 + 3 + 3 + 3;
        Map<String, String> offeredTo = new ConcurrentHashMap<>();
        List<String> doubles = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch allSlotsOffered = new CountDownLatch(slots);
        for (TestHub node : List.of(a, b)) {
          node.hub().vertx().eventBus().<JsonObject>consumer(RoutingService.OFFER_CREATED, m -> {
            String prev = offeredTo.putIfAbsent(m.body().getString("interactionId"), m.body().getString("agentId"));
            if (prev != null) {
              doubles.add(m.body().getString("interactionId"));
            }
            allSlotsOffered.countDown();
          });
        }
        int contacts = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Integer>> posts = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
          TestHub node = i % 2 == 0 ? a : b;
          String body = new JsonObject().put("channel", "chat").put("externalId", "mn-" + i).put("threadKey", "mn-" + i)
              .put("sender", new JsonObject().put("kind", "email").put("value", "mn" + i + "@example.com"))
              .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode();
          posts.add(CompletableFuture.supplyAsync(() -> node.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), body).status(), pool));
        }
        for (var p : posts) {
          assertThat(p.get(30, TimeUnit.SECONDS)).isEqualTo(201);
        }
        pool.shutdown();
        assertThat(allSlotsOffered.await(30, TimeUnit.SECONDS)).as("every free slot gets an offer").isTrue();
        // Let each node finish three more passes over the remaining waiting work: still no more offers.
        for (TestHub node : List.of(a, b)) {
          CountDownLatch passes = new CountDownLatch(3);
          var c = node.hub().vertx().eventBus().consumer(RoutingService.PASS_DONE, m -> passes.countDown());
          assertThat(passes.await(20, TimeUnit.SECONDS)).isTrue();
          c.unregister();
        }
        assertThat(doubles).isEmpty();
        try (Connection c = io.switchboard.hub.testsupport.TestServers.connect(a.hub().postgresUrl())) {
          assertThat(count(c, "SELECT count(*) FROM offers")).isEqualTo(slots);
          assertThat(count(c, "SELECT count(*) FROM interactions WHERE state = 'queued'")).isEqualTo(contacts - slots);
          assertThat(count(c, "SELECT count(*) FROM (SELECT interaction_id FROM interaction_transitions WHERE to_state = 'offered'"
              + " GROUP BY interaction_id HAVING count(*) > 1) x")).isZero();
          try (ResultSet rs = c.createStatement().executeQuery(
              "SELECT a.username, count(*) FROM offers o JOIN agents a ON a.id = o.agent_id GROUP BY a.username")) {
            while (rs.next()) {
              int cap = rs.getString(1).equals("bob") ? 2 : 3;
              assertThat(rs.getInt(2)).as(rs.getString(1)).isLessThanOrEqualTo(cap);
            }
          }
        }
        for (String t : tokens) {
          assertThat(a.get("/api/v1/agents/me/state", t).json().getJsonObject("load").getInteger("chat"))
              .isLessThanOrEqualTo(3);
        }
      } finally {
        fa.close();
        fb.close();
      }
    }
  }

  @Test
  void afterARestartWithRedisWipedTheQueueOffersAndAgentStatesComeBackFromPostgres() throws Exception {
    String rules = RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 120s");
    TestHub first = TestHub.start(Map.of(), rules);
    RoutingFixture f1 = new RoutingFixture(first);
    String alice = f1.available("alice");
    String aliceId = f1.agentId(alice);
    String sam = bearer(first.login("sam", "sam-demo-pw"));
    first.put("/api/v1/agents/" + f1.agentId(bearer(first.login("bob", "bob-demo-pw"))) + "/state", sam,
        "{\"state\":\"break\",\"reason\":\"training\"}");
    var offered = f1.expect(RoutingService.OFFER_CREATED, e -> true);
    String offeredId = f1.contact("rs-0", "billing");
    RoutingFixture.await(offered);
    // Alice stops taking new work; nobody else is available, so the next contacts wait.
    assertThat(first.put("/api/v1/agents/me/state", alice, "{\"state\":\"busy\"}").status()).isEqualTo(204);
    List<String> waiting = new ArrayList<>();
    CountDownLatch queuedAll = new CountDownLatch(4);
    first.hub().vertx().eventBus().consumer(RoutingService.INTERACTION_QUEUED, m -> queuedAll.countDown());
    for (int i = 1; i <= 4; i++) {
      waiting.add(f1.contact("rs-" + i, "tech"));
    }
    assertThat(queuedAll.await(20, TimeUnit.SECONDS)).isTrue();
    f1.close();
    first.close();
    wipeRedis(first.hub().redisUrl(), first.redisPrefix());

    try (TestHub second = first.sibling()) {
      String admin = bearer(second.login("ada", "ada-demo-pw"));
      String samAgain = bearer(second.login("sam", "sam-demo-pw"));
      JsonObject aliceState = second.get("/api/v1/agents/" + aliceId + "/state", samAgain).json();
      assertThat(aliceState.getString("state")).isEqualTo("busy");
      assertThat(aliceState.getJsonObject("load").getInteger("chat")).isEqualTo(1);
      var offers = second.get("/api/v1/interactions/" + offeredId + "/routing", samAgain).json();
      assertThat(offers.getString("state")).isEqualTo("offered");
      List<String> queued = new ArrayList<>();
      for (Object o : second.get("/api/v1/interactions?state=queued&limit=50", samAgain).json().getJsonArray("items")) {
        queued.add(((JsonObject) o).getString("id"));
      }
      assertThat(queued).containsExactlyInAnyOrderElementsOf(waiting);
      String bobState = second.get("/api/v1/agents", samAgain).jsonArray().stream().map(x -> (JsonObject) x)
          .filter(x -> x.getString("username").equals("bob")).findFirst().orElseThrow().getString("id");
      assertThat(second.get("/api/v1/agents/" + bobState + "/state", samAgain).json().getString("reason")).isEqualTo("training");
      assertThat(second.post("/api/v1/routing/rebuild", admin, "").status()).isEqualTo(200);
      RoutingFixture f2 = new RoutingFixture(second);
      try {
        var nextOffer = f2.expect(RoutingService.OFFER_CREATED, e -> waiting.get(0).equals(e.getString("interactionId")));
        f2.available("dilara");
        // Oldest first: the first of the waiting general interactions goes out first.
        assertThat(RoutingFixture.await(nextOffer).getString("interactionId")).isEqualTo(waiting.get(0));
      } finally {
        f2.close();
      }
    }
  }

  private static void wipeRedis(String url, String prefix) {
    var client = io.lettuce.core.RedisClient.create(url);
    try (var conn = client.connect()) {
      var cmd = conn.sync();
      var cursor = cmd.scan(io.lettuce.core.ScanArgs.Builder.matches(prefix + "rt:*").limit(1000));
      while (true) {
        if (!cursor.getKeys().isEmpty()) {
          cmd.del(cursor.getKeys().toArray(String[]::new));
        }
        if (cursor.isFinished()) {
          break;
        }
        cursor = cmd.scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(prefix + "rt:*").limit(1000));
      }
    } finally {
      client.shutdown();
    }
  }

  private static String jdbc(TestHub hub) {
    return "jdbc:" + hub.hub().postgresUrl().replace("postgresql://postgres@", "postgresql://");
  }

  private static int count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}

package io.switchboard.hub.app.routing;

import io.switchboard.hub.app.TestRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * #9.5 Agent queue membership (routing profiles) in the live router: agents serve only the queues they are assigned
 * (none assigned: every queue), a {@code widen} step opens an interaction to the agents of the widened queue, changes
 * through the API reach waiting interactions at once, and the API refuses bad input and the wrong roles.
 */
@DisplayName("#9.5 queue membership: agents serve their queues, widen and 'not serving the queue' work live")
class QueueMembershipTest {
  static final String RULES = TestRules.routing("60s", false, """
          - name: billing-topic
            when: "attributes['topic'] == 'billing'"
            queue: billing
            relax:
              - after: 3s
                widen: general
          - name: default
            queue: general
          """);

  private TestHub hub;
  private RoutingFixture fx;
  private String admin;
  private String supervisor;

  @BeforeEach
  void start() {
    hub = TestHub.start(Map.of(), RULES);
    fx = new RoutingFixture(hub);
    admin = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
    supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  private JsonObject assign(String agentId, String... queues) {
    var r = hub.put("/api/v1/agents/" + agentId + "/queues", admin,
        new JsonObject().put("queues", new JsonArray(java.util.List.of(queues))).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private String idOf(String username) {
    JsonArray list = hub.get("/api/v1/directory/agents", supervisor).jsonArray();
    return list.stream().map(o -> (JsonObject) o).filter(a -> username.equals(a.getString("username"))).findFirst()
        .orElseThrow().getString("id");
  }

  @Test
  void anAgentAssignedToBillingIsNotOfferedGeneralWorkWhileAColleagueOfGeneralIs() throws Exception {
    String aliceId = idOf("alice");
    String bobId = idOf("bob");
    JsonObject set = assign(aliceId, "billing");
    assertThat(set.getJsonArray("queues").getList()).containsExactly("billing");
    assertThat(set.getBoolean("servesAllQueues")).isFalse();
    assign(bobId, "general");
    // Alice goes available first: with equal scores she would win on idle time if queues did not count.
    fx.available("alice");
    fx.available("bob");

    var general = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String g = fx.contact("membership-general", "none");
    JsonObject offer = RoutingFixture.await(general);
    assertThat(offer.getString("interactionId")).isEqualTo(g);
    assertThat(offer.getString("agentId")).as("general work goes to the general agent").isEqualTo(bobId);

    JsonObject aliceThen = hub.get("/api/v1/interactions/" + g + "/routing?agent=" + aliceId, supervisor).json()
        .getJsonObject("agent").getJsonArray("decisions").getJsonObject(0);
    assertThat(aliceThen.getString("excludedBecause")).isEqualTo("not in queue general");

    var billing = fx.expect(RoutingService.OFFER_CREATED, e -> !e.getString("interactionId").equals(g));
    String b = fx.contact("membership-billing", "billing");
    JsonObject billed = RoutingFixture.await(billing);
    assertThat(billed.getString("interactionId")).isEqualTo(b);
    assertThat(billed.getString("agentId")).as("billing work goes to the billing agent").isEqualTo(aliceId);

    // The record and the queue's members say so too.
    assertThat(hub.get("/api/v1/agents/" + aliceId, supervisor).json().getJsonArray("queues").getList()).containsExactly("billing");
    JsonObject members = hub.get("/api/v1/queues/billing/members", supervisor).json();
    assertThat(members.getBoolean("known")).isTrue();
    var assigned = members.getJsonArray("members").stream().map(o -> (JsonObject) o).filter(m -> m.getBoolean("assigned"))
        .map(m -> m.getString("username")).toList();
    var everyQueue = members.getJsonArray("members").stream().map(o -> (JsonObject) o).filter(m -> !m.getBoolean("assigned"))
        .map(m -> m.getString("username")).toList();
    assertThat(assigned).containsExactly("alice");
    assertThat(everyQueue).contains("chen", "dilara", "emma").doesNotContain("alice", "bob");
  }

  @Test
  void aWidenStepOpensABillingContactToAnAgentOfGeneralOnly() throws Exception {
    String bobId = idOf("bob");
    assign(bobId, "general");
    fx.available("bob");

    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String b = fx.contact("widen-billing", "billing");
    JsonObject offer = RoutingFixture.await(offered);
    assertThat(offer.getString("interactionId")).isEqualTo(b);
    assertThat(offer.getString("agentId")).isEqualTo(bobId);
    JsonObject decision = hub.get("/api/v1/interactions/" + b + "/routing", supervisor).json()
        .getJsonArray("decisions").getJsonObject(0);
    assertThat(decision.getInteger("relaxationStep")).as("offered only once the widen step was in force").isEqualTo(1);
  }

  @Test
  void aWaitingContactIsOfferedAsSoonAsTheAdminOpensTheQueueToTheOnlyAgent() throws Exception {
    String aliceId = idOf("alice");
    assign(aliceId, "billing");
    fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String g = fx.contact("membership-later", "none");
    // Waiting: alice does not serve general (the explanation says why, now).
    // (Intake hands the contact to routing through the outbox: wait until it is queued and evaluated.)
    JsonObject now = null;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (now == null && System.nanoTime() < deadline) {
      now = hub.get("/api/v1/interactions/" + g + "/routing", supervisor).json().getJsonObject("now");
      if (now == null) {
        Thread.sleep(100); // polling until the interaction is queued
      }
    }
    assertThat(now).as("the waiting contact's evaluation now").isNotNull();
    assertThat(ExplanationsApiTest.candidate(now.getJsonArray("candidates"), aliceId).getString("excludedBecause"))
        .isEqualTo("not in queue general");
    assertThat(offered).isNotDone();

    JsonObject every = assign(aliceId);
    assertThat(every.getBoolean("servesAllQueues")).isTrue();
    JsonObject offer = RoutingFixture.await(offered);
    assertThat(offer.getString("interactionId")).isEqualTo(g);
    assertThat(offer.getString("agentId")).isEqualTo(aliceId);
  }

  @Test
  void badInputAndTheWrongRolesAreRefused() {
    String aliceId = idOf("alice");
    String path = "/api/v1/agents/" + aliceId + "/queues";
    var unknown = hub.put(path, admin, "{\"queues\":[\"billing\",\"astrology\"]}");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.body()).contains("queues[1]").contains("astrology");
    var twice = hub.put(path, admin, "{\"queues\":[\"billing\",\"billing\"]}");
    assertThat(twice.status()).isEqualTo(422);
    assertThat(twice.body()).contains("queues[1]");
    var nul = hub.put(path, admin, "{\"queues\":[\"bill\\u0000ing\"]}");
    assertThat(nul.status()).isEqualTo(422);
    var bad = hub.put(path, admin, "{\"queues\":[\"Billing Team\"]}");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body()).contains("queues[0]");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add("q" + i);
    }
    assertThat(hub.put(path, admin, new JsonObject().put("queues", many).encode()).status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"queues\":\"billing\"}").status()).isEqualTo(400);
    assertThat(hub.put(path, admin, "{\"queues\":[\"billing\"],\"extra\":1}").status()).isEqualTo(400);
    assertThat(hub.put(path, admin, "{\"queues\":[\"billing\"],\"queues\":[]}").status()).isEqualTo(400);
    assertThat(hub.put(path, admin, "{}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{not json").status()).isEqualTo(400);
    assertThat(hub.put("/api/v1/agents/00000000-0000-0000-0000-000000000001/queues", admin, "{\"queues\":[]}").status())
        .isEqualTo(404);
    assertThat(hub.put("/api/v1/agents/not-a-uuid/queues", admin, "{\"queues\":[]}").status()).isEqualTo(400);
    // Nothing was stored by any of these.
    assertThat(hub.get(path, supervisor).json().getJsonArray("queues")).isEmpty();

    String agent = TestHub.bearer(hub.login("bob", "bob-demo-pw"));
    assertThat(hub.put(path, supervisor, "{\"queues\":[\"billing\"]}").status()).as("supervisors read only").isEqualTo(403);
    assertThat(hub.put(path, agent, "{\"queues\":[\"billing\"]}").status()).isEqualTo(403);
    assertThat(hub.get(path, agent).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/queues/billing/members", agent).status()).isEqualTo(403);
    assertThat(hub.get(path, null).status()).isEqualTo(401);
    assertThat(hub.get("/api/v1/queues/astrology/members", supervisor).status()).isEqualTo(404);

    // The change is audited with the lists before and after.
    assign(aliceId, "general", "billing");
    var audit = hub.get("/api/v1/audit?action=agent.queues_changed", admin);
    assertThat(audit.body()).contains("agent.queues_changed").contains(aliceId);
  }
}

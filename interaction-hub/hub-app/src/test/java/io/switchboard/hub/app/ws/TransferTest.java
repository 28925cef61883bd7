package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.routing.TransferService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("transfer and move: to a queue, to one agent, supervisors' moves, and every bad request")
class TransferTest {
  private SocketFixture fx;
  private String supervisor;

  @BeforeEach
  void start() {
    fx = SocketFixture.start();
    supervisor = bearer(fx.token("sam"));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  /** {@code user}'s console accepts the offer of a new general chat and returns its interaction id. */
  private String assignedTo(Console console, String externalId) {
    String id = fx.contact(externalId, "general", "My parcel never arrived");
    JsonObject offer = console.next("offer");
    assertThat(offer.getString("interactionId")).isEqualTo(id);
    assertThat(console.command(new JsonObject().put("type", "accept").put("interactionId", id), "acc-" + externalId)
        .getString("type")).isEqualTo("ok");
    console.next("assigned");
    return id;
  }

  private TestHubResponse transfer(String id, String token, JsonObject body) {
    var r = fx.hub.post("/api/v1/interactions/" + id + "/transfer", token, body.encode());
    return new TestHubResponse(r.status(), r.body());
  }

  record TestHubResponse(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * Puts live state back as it was before a transfer's Redis step: the interaction on the agent again (in its
   * assigned set, counted in its load) and not waiting, as if the node died after the PostgreSQL commit.
   */
  private void undoLiveStep(String agentId, String interactionId) {
    var vertx = fx.hub.hub().vertx();
    var redis = io.switchboard.hub.store.redis.RedisStore.connect(vertx, fx.hub.hub().redisUrl(), null, fx.hub.redisPrefix());
    try {
      var live = new io.switchboard.hub.store.redis.RoutingState(redis);
      Console.await(live.dequeue(interactionId));
      Console.await(live.putAssigned(agentId, interactionId));
      var agent = Console.await(live.agent(agentId));
      var load = new java.util.HashMap<>(agent.load());
      load.merge("chat", 1, Integer::sum);
      Console.await(live.putAgent(new io.switchboard.hub.store.redis.RoutingState.AgentLive(agent.agentId(), agent.state(),
          agent.reason(), agent.since(), agent.present(), agent.idleSince(), agent.skills(), agent.queues(), agent.capacity(),
          load, agent.exclusive()), true));
    } finally {
      redis.close();
    }
  }

  private int chatLoad(String token) {
    return fx.hub.get("/api/v1/agents/me/state", token).json().getJsonObject("load").getInteger("chat", 0);
  }

  @Test
  void aTransferCutOffBetweenPostgresAndRedisIsCompletedBySendingItAgainOrByARebuild() {
    Console alice = fx.available("alice");
    String aliceToken = bearer(fx.token("alice"));
    String aliceId = fx.agentId(fx.token("alice"));
    String id = assignedTo(alice, "tr-crash");
    JsonObject toBilling = new JsonObject().put("queue", "billing").put("note", "Refund question");
    assertThat(transfer(id, aliceToken, toBilling).status()).isEqualTo(200);
    assertThat(chatLoad(aliceToken)).isZero();

    // The node "died" after the commit: PostgreSQL says queued, Redis still has it on alice.
    undoLiveStep(aliceId, id);
    assertThat(chatLoad(aliceToken)).isEqualTo(1);
    assertThat(fx.hub.get("/api/v1/interactions/" + id, supervisor).json().getString("state")).isEqualTo("queued");

    // Sending the same transfer again completes the Redis step; nothing is written twice.
    var again = transfer(id, aliceToken, toBilling);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getString("queue")).isEqualTo("billing");
    assertThat(chatLoad(aliceToken)).isZero();
    var detail = fx.hub.get("/api/v1/interactions/" + id, supervisor).json();
    assertThat(detail.getString("state")).isEqualTo("queued");
    assertThat(detail.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> m.getBoolean("private") && "Refund question".equals(m.getJsonObject("content").getString("text")))).hasSize(1);
    // Once complete, a third try is a plain conflict: the interaction is not assigned to anyone.
    assertThat(transfer(id, aliceToken, toBilling).status()).isEqualTo(409);

    // The other way out: an admin's rebuild restores Redis from PostgreSQL.
    undoLiveStep(aliceId, id);
    assertThat(chatLoad(aliceToken)).isEqualTo(1);
    var rebuilt = fx.hub.post("/api/v1/routing/rebuild", bearer(fx.token("ada")), "");
    assertThat(rebuilt.status()).as(rebuilt.body()).isEqualTo(200);
    assertThat(chatLoad(aliceToken)).isZero();
    // It waits again and is offered to a skilled colleague (alice, who passed it on, is left out).
    Console emma = fx.available("emma");
    assertThat(emma.next("offer").getString("interactionId")).isEqualTo(id);
    assertThat(alice.received("offer").stream().filter(o -> id.equals(o.getString("interactionId")))).hasSize(1);
  }

  @Test
  void theColleagueDirectoryNeedsAStaffLoginAndShowsLiveStatesWithoutSecrets() {
    for (String auth : new String[] {null, bearer("not-a-token")}) {
      var refused = fx.hub.get("/api/v1/directory/agents", auth);
      assertThat(refused.status()).as(auth + ": " + refused.body()).isEqualTo(401);
      assertThat(refused.body()).doesNotContain("alice");
    }
    // An integration's API key is a valid login but not staff.
    var integration = fx.hub.get("/api/v1/directory/agents",
        io.switchboard.hub.app.TestHub.apiKey(io.switchboard.hub.app.TestHub.DEMO_API_KEY));
    assertThat(integration.status()).as(integration.body()).isEqualTo(403);
    assertThat(integration.body()).doesNotContain("alice");
    fx.available("alice");
    String bobToken = bearer(fx.token("bob"));
    var r = fx.hub.get("/api/v1/directory/agents", bobToken);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonArray list = new JsonArray(r.body());
    JsonObject alice = list.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("username").equals("alice")).findFirst().orElseThrow();
    assertThat(alice.getString("state")).isEqualTo("available");
    assertThat(alice.getBoolean("present")).isTrue();
    // The same presence the dashboard and the state endpoint show (#9.1): state, its reason and since when.
    assertThat(alice.fieldNames())
        .containsExactlyInAnyOrder("id", "username", "displayName", "role", "state", "reason", "since", "present");
    JsonObject dilara = list.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("username").equals("dilara")).findFirst().orElseThrow();
    assertThat(dilara.getString("state")).isEqualTo("offline");
    assertThat(dilara.getBoolean("present")).isFalse();
    assertThat(r.body()).doesNotContain("password").doesNotContain("$2");
    // Supervisors and admins read it too (they transfer and move work as well).
    assertThat(fx.hub.get("/api/v1/directory/agents", supervisor).status()).isEqualTo(200);
  }

  @Test
  void aTransferToAQueueFreesTheAgentLeavesANoteAndIsOfferedToASkilledAgent() {
    Console alice = fx.available("alice");
    String aliceToken = bearer(fx.token("alice"));
    String id = assignedTo(alice, "tr-1");
    assertThat(fx.hub.get("/api/v1/agents/me/state", aliceToken).json().getJsonObject("load").getInteger("chat")).isEqualTo(1);
    Console chen = fx.available("chen"); // billing 3: below billing-topic's 4, but a transfer into billing has no rule that fits
    Console emma = fx.available("emma"); // billing 4
    var transferred = fx.expect(TransferService.INTERACTION_TRANSFERRED, e -> e.getString("interactionId").equals(id));

    var r = transfer(id, aliceToken, new JsonObject().put("queue", "billing").put("note", "Wants a refund of invoice 42"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("queue")).isEqualTo("billing");
    assertThat(r.json().getString("state")).isEqualTo("queued");
    assertThat(r.json().getString("noteMessageId")).isNotNull();

    JsonObject event = SocketFixture.await(transferred);
    assertThat(event.getString("fromAgentId")).isEqualTo(fx.agentId(fx.token("alice")));
    assertThat(event.getString("toQueue")).isEqualTo("billing");
    assertThat(event.getString("toAgentId")).isNull();
    assertThat(event.getString("by")).contains("alice");

    JsonObject unassigned = alice.next("unassigned");
    assertThat(unassigned.getString("interactionId")).isEqualTo(id);
    assertThat(unassigned.getString("reason")).isEqualTo("transferred to queue billing");
    assertThat(fx.hub.get("/api/v1/agents/me/state", aliceToken).json().getJsonObject("load").getInteger("chat")).isZero();

    // offered to one of the two billing agents, never back to alice; the offer carries the transfer and the note
    JsonObject offer = fx.hub.get("/api/v1/agents/me/offers", bearer(fx.token("emma"))).jsonArray().isEmpty()
        ? chen.next("offer") : emma.next("offer");
    assertThat(offer.getString("interactionId")).isEqualTo(id);
    assertThat(offer.getString("queue")).isEqualTo("billing");
    assertThat(offer.getString("preview")).isEqualTo("My parcel never arrived");
    assertThat(offer.getLong("waitedMs")).isLessThan(Duration.ofSeconds(30).toMillis());
    assertThat(offer.getJsonObject("transfer").getString("note")).isEqualTo("Wants a refund of invoice 42");
    assertThat(offer.getJsonObject("transfer").getString("fromAgentId")).isEqualTo(event.getString("fromAgentId"));

    JsonObject detail = fx.hub.get("/api/v1/interactions/" + id, supervisor).json();
    assertThat(detail.getString("queue")).isEqualTo("billing");
    JsonArray transitions = detail.getJsonArray("transitions");
    assertThat(transitions.stream().map(t -> (JsonObject) t)
        .filter(t -> "assigned".equals(t.getString("from")) && "queued".equals(t.getString("to"))).findFirst().orElseThrow()
        .getString("reason")).isEqualTo("transferred by " + event.getString("by") + " to queue billing");
    assertThat(detail.getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> "internal".equals(m.getString("direction"))).findFirst().orElseThrow()
        .getJsonObject("content").encode()).contains("Wants a refund of invoice 42");
    assertThat(fx.hub.get("/api/v1/audit?entityType=interaction&entityId=" + id, bearer(fx.token("ada"))).body())
        .contains("interaction.transferred");

    // a second transfer of the same interaction: it is no longer assigned to alice
    assertThat(transfer(id, aliceToken, new JsonObject().put("queue", "general")).status()).isEqualTo(409);
  }

  @Test
  void aTransferToAnAgentIsOfferedOnlyToThatAgentAndFallsBackToTheQueueWhenDeclined() {
    Console alice = fx.available("alice");
    String id = assignedTo(alice, "tr-2");
    Console emma = fx.available("emma");
    Console dilara = fx.available("dilara");
    String dilaraId = fx.agentId(fx.token("dilara"));
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> e.getString("interactionId").equals(id));
    var r = transfer(id, bearer(fx.token("alice")), new JsonObject().put("agentId", dilaraId));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("toAgentId")).isEqualTo(dilaraId);
    assertThat(alice.next("unassigned").getString("reason")).isEqualTo("transferred to agent dilara");
    assertThat(SocketFixture.await(offered).getString("agentId")).isEqualTo(dilaraId);
    assertThat(dilara.next("offer").getString("interactionId")).isEqualTo(id);
    JsonObject routing = fx.hub.get("/api/v1/interactions/" + id + "/routing", supervisor).json();
    JsonObject last = routing.getJsonArray("decisions").getJsonObject(routing.getJsonArray("decisions").size() - 1);
    assertThat(last.getJsonObject("explanation").encode()).contains("transferred to another agent");

    var again = fx.expect(RoutingService.OFFER_CREATED, e -> e.getString("interactionId").equals(id));
    assertThat(dilara.command(new JsonObject().put("type", "decline").put("interactionId", id), "dec").getString("type")).isEqualTo("ok");
    assertThat(SocketFixture.await(again).getString("agentId")).isEqualTo(fx.agentId(fx.token("emma")));
    assertThat(emma.next("offer").getString("interactionId")).isEqualTo(id);
  }

  @Test
  void badTransferRequestsAreRefusedAndChangeNothing() {
    Console alice = fx.available("alice");
    String aliceToken = bearer(fx.token("alice"));
    String id = assignedTo(alice, "tr-3");
    String aliceId = fx.agentId(fx.token("alice"));
    String bobId = fx.agentId(fx.token("bob"));
    String path = "/api/v1/interactions/" + id + "/transfer";

    assertThat(transfer(id, aliceToken, new JsonObject().put("queue", "billing").put("agentId", bobId)).status()).isEqualTo(422);
    var neither = transfer(id, aliceToken, new JsonObject());
    assertThat(neither.status()).isEqualTo(422);
    assertThat(neither.body()).contains("exactly one of queue and agentId");
    var unknownQueue = transfer(id, aliceToken, new JsonObject().put("queue", "nope"));
    assertThat(unknownQueue.status()).isEqualTo(422);
    assertThat(unknownQueue.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("queue");
    var unknownAgent = transfer(id, aliceToken, new JsonObject().put("agentId", java.util.UUID.randomUUID().toString()));
    assertThat(unknownAgent.status()).isEqualTo(422);
    assertThat(unknownAgent.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("agentId");
    assertThat(transfer(id, aliceToken, new JsonObject().put("agentId", aliceId)).status()).isEqualTo(422);
    assertThat(transfer(id, aliceToken, new JsonObject().put("agentId", "not-a-uuid")).status()).isEqualTo(422);
    assertThat(transfer(id, aliceToken, new JsonObject().put("queue", "billing").put("note", "x".repeat(2001))).status()).isEqualTo(422);
    assertThat(fx.hub.post(path, aliceToken, "{\"queue\": ").status()).isEqualTo(400);
    assertThat(fx.hub.post(path, aliceToken, "{\"queue\": 5}").status()).isEqualTo(400);
    assertThat(fx.hub.post(path, aliceToken, "{\"queue\": \"billing\", \"extra\": 1}").status()).isEqualTo(400);
    assertThat(fx.hub.post(path, aliceToken, "{\"queue\": \"billing\", \"queue\": \"general\"}").status()).isEqualTo(400);
    assertThat(fx.hub.post(path, null, "{\"queue\": \"billing\"}").status()).isEqualTo(401);
    // another agent's interaction: not found for them
    assertThat(transfer(id, bearer(fx.token("bob")), new JsonObject().put("queue", "billing")).status()).isEqualTo(404);
    assertThat(transfer(java.util.UUID.randomUUID().toString(), aliceToken, new JsonObject().put("queue", "billing")).status()).isEqualTo(404);
    assertThat(fx.hub.post("/api/v1/interactions/not-an-id/transfer", aliceToken, "{\"queue\":\"billing\"}").status()).isEqualTo(400);

    // nothing changed: still alice's, still assigned, no note written
    JsonObject detail = fx.hub.get("/api/v1/interactions/" + id, supervisor).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    assertThat(detail.getString("agentId")).isEqualTo(aliceId);
    assertThat(detail.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("direction"))).doesNotContain("internal");
    assertThat(fx.hub.get("/api/v1/agents/me/state", aliceToken).json().getJsonObject("load").getInteger("chat")).isEqualTo(1);

    // in wrap-up: not transferable
    assertThat(fx.hub.post("/api/v1/interactions/" + id + "/end", aliceToken, "").status()).isEqualTo(200);
    assertThat(transfer(id, aliceToken, new JsonObject().put("queue", "billing")).status()).isEqualTo(409);
    // a supervisor may transfer others' work, but not work in wrap-up either
    assertThat(transfer(id, supervisor, new JsonObject().put("queue", "billing")).status()).isEqualTo(409);
  }

  @Test
  void aSupervisorTransfersAnAgentsInteractionAndTheAgentsConsoleIsTold() {
    Console alice = fx.available("alice");
    String id = assignedTo(alice, "tr-4");
    var r = transfer(id, supervisor, new JsonObject().put("queue", "billing"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(alice.next("unassigned").getString("interactionId")).isEqualTo(id);
    assertThat(fx.hub.get("/api/v1/interactions/" + id, supervisor).json().getString("state")).isIn("queued", "offered");
  }

  @Test
  void aSupervisorMovesWaitingAndOfferedInteractionsButNotAssignedOnes() {
    var inQueue = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String queued = fx.contact("mv-1", "general", "hello");
    SocketFixture.await(inQueue);
    var waiting = fx.hub.get("/api/v1/interactions/" + queued, supervisor).json();
    assertThat(waiting.getString("state")).isEqualTo("queued");
    String path = "/api/v1/interactions/" + queued + "/move";
    assertThat(fx.hub.post(path, bearer(fx.token("alice")), "{\"queue\":\"billing\"}").status()).isEqualTo(403);
    assertThat(fx.hub.post(path, supervisor, "{\"queue\":\"nope\"}").status()).isEqualTo(422);
    assertThat(fx.hub.post(path, supervisor, "{\"queue\":\"general\"}").status()).isEqualTo(422);
    assertThat(fx.hub.post(path, supervisor, "{}").status()).isEqualTo(422);
    assertThat(fx.hub.post(path, supervisor, "{\"queue\":[\"billing\"]}").status()).isEqualTo(400);
    assertThat(fx.hub.post("/api/v1/interactions/" + java.util.UUID.randomUUID() + "/move", supervisor, "{\"queue\":\"billing\"}").status())
        .isEqualTo(404);
    var moved = fx.hub.post(path, supervisor, "{\"queue\":\"billing\"}");
    assertThat(moved.status()).as(moved.body()).isEqualTo(200);
    assertThat(moved.json().getString("fromQueue")).isEqualTo("general");
    assertThat(moved.json().getString("queue")).isEqualTo("billing");
    JsonObject now = fx.hub.get("/api/v1/interactions/" + queued + "/routing", supervisor).json();
    assertThat(now.getString("queue")).isEqualTo("billing");
    assertThat(now.getJsonObject("classification").getString("queue")).isEqualTo("billing");
    assertThat(fx.hub.get("/api/v1/audit?entityType=interaction&entityId=" + queued, bearer(fx.token("ada"))).body())
        .contains("interaction.moved");

    // offered: the offer is withdrawn from the console first, then it moves
    Console dilara = fx.available("dilara"); // general 4, no billing
    String offered = fx.contact("mv-2", "general", "hi");
    assertThat(dilara.next(f -> "offer".equals(f.getString("type")) && offered.equals(f.getString("interactionId"))).getString("type"))
        .isEqualTo("offer");
    var m2 = fx.hub.post("/api/v1/interactions/" + offered + "/move", supervisor, "{\"queue\":\"billing\"}");
    assertThat(m2.status()).as(m2.body()).isEqualTo(200);
    JsonObject withdrawn = dilara.next(f -> "offer_withdrawn".equals(f.getString("type")) && offered.equals(f.getString("interactionId")));
    assertThat(withdrawn.getString("reason")).isEqualTo("moved to queue billing");

    // assigned: use transfer
    Console alice = fx.available("alice");
    String assigned = fx.contact("mv-3", "billing", "invoice");
    JsonObject offer = alice.next(f -> "offer".equals(f.getString("type")) && assigned.equals(f.getString("interactionId")));
    assertThat(alice.command(new JsonObject().put("type", "accept").put("interactionId", offer.getString("interactionId")), "a")
        .getString("type")).isEqualTo("ok");
    assertThat(fx.hub.post("/api/v1/interactions/" + assigned + "/move", supervisor, "{\"queue\":\"general\"}").status()).isEqualTo(409);
  }
}

package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("agent console WebSocket: authentication, offers, commands, presence, bad frames")
class AgentSocketProtocolTest {
  private SocketFixture fx;

  @BeforeEach
  void start() {
    fx = SocketFixture.start();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void aConsoleThatAuthenticatesGetsHelloThenASnapshotOfItsState() {
    String token = fx.token("alice");
    Console alice = fx.console();
    JsonObject hello = alice.authenticate(token);
    assertThat(hello.getInteger("v")).isEqualTo(1);
    assertThat(hello.getJsonObject("agent").getString("id")).isEqualTo(fx.agentId(token));
    assertThat(hello.getJsonObject("agent").getString("username")).isEqualTo("alice");
    assertThat(hello.getJsonObject("agent").getString("role")).isEqualTo("agent");
    assertThat(hello.getInteger("heartbeatSeconds")).isEqualTo(2);
    assertThat(Instant.parse(hello.getString("serverTime"))).isBefore(Instant.now().plusSeconds(5));
    JsonObject snapshot = alice.next("snapshot");
    assertThat(snapshot.getString("cause")).isEqualTo("auth");
    assertThat(snapshot.getString("state")).isEqualTo("offline");
    assertThat(snapshot.getJsonArray("offers")).isEmpty();
    assertThat(snapshot.getJsonArray("assigned")).isEmpty();
    assertThat(snapshot.getJsonObject("capacity").getInteger("chat")).isEqualTo(3);
    alice.assertAlive("p1");
    List<Long> seqs = alice.received().stream().map(f -> f.getLong("seq")).toList();
    assertThat(seqs).containsExactly(1L, 2L, 3L);
  }

  @Test
  void anOfferArrivesWithTheCustomersContext() {
    Console alice = fx.available("alice");
    String id = fx.contact("ws-offer-1", "billing", "My invoice\n shows the   wrong amount");
    JsonObject offer = alice.next("offer");
    assertThat(offer.getString("interactionId")).isEqualTo(id);
    assertThat(offer.getString("channel")).isEqualTo("chat");
    assertThat(offer.getString("queue")).isEqualTo("billing");
    assertThat(Instant.parse(offer.getString("expiresAt"))).isAfter(Instant.now().plusSeconds(30));
    assertThat(offer.getLong("waitedMs")).isBetween(0L, 30_000L);
    assertThat(offer.getString("preview")).isEqualTo("My invoice shows the wrong amount");
    JsonObject customer = offer.getJsonObject("customer");
    assertThat(customer.getString("id")).isNotBlank();
    assertThat(customer.getString("displayName")).isNotBlank();
    assertThat(customer.getJsonArray("identities").stream().map(i -> ((JsonObject) i).getString("value")))
        .contains("ws-offer-1@example.com");
  }

  @Test
  void acceptingOverTheSocketAssignsTheInteractionAndItsMessagesFollow() {
    Console alice = fx.available("alice");
    String token = fx.token("alice");
    String id = fx.contact("ws-accept-1", "billing", "first line");
    alice.next("offer");
    JsonObject ok = alice.command(new JsonObject().put("type", "accept").put("interactionId", id), "a1");
    assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
    assertThat(alice.next("assigned").getString("interactionId")).isEqualTo(id);
    assertThat(fx.hub.get("/api/v1/interactions/" + id, bearer(token)).json().getString("state")).isEqualTo("assigned");

    // The customer writes again in the same chat; the agent replies and writes a note.
    SocketFixture.contact(fx.hub, "ws-accept-2", "ws-accept-1", "billing", "second line");
    JsonObject inbound = alice.next("message");
    assertThat(inbound.getString("interactionId")).isEqualTo(id);
    assertThat(inbound.getString("direction")).isEqualTo("inbound");
    assertThat(inbound.getString("text")).isEqualTo("second line");
    assertThat(inbound.getString("messageId")).isNotBlank();
    assertThat(inbound.getString("at")).isNotBlank();
    var reply = fx.hub.post("/api/v1/interactions/" + id + "/messages", bearer(token), "{\"text\":\"We are on it.\"}");
    assertThat(reply.status()).isEqualTo(201);
    JsonObject outbound = alice.next(f -> "message".equals(f.getString("type")) && "outbound".equals(f.getString("direction")));
    assertThat(outbound.getString("messageId")).isEqualTo(reply.json().getString("id"));
    assertThat(outbound.getString("text")).isEqualTo("We are on it.");

    JsonObject resync = alice.command(new JsonObject().put("type", "resync"), "r1");
    assertThat(resync.getString("type")).isEqualTo("ok");
    JsonObject snapshot = alice.received("snapshot").getLast();
    assertThat(snapshot.getString("cause")).isEqualTo("requested");
    assertThat(snapshot.getJsonArray("offers")).isEmpty();
    assertThat(snapshot.getJsonArray("assigned").getJsonObject(0).getString("interactionId")).isEqualTo(id);
    assertThat(snapshot.getJsonArray("assigned").getJsonObject(0).getString("state")).isEqualTo("assigned");
  }

  @Test
  void aDeclinedOfferIsWithdrawnAndGoesToAnotherAgent() {
    Console alice = fx.available("alice"); // billing 5
    Console emma = fx.available("emma"); // billing 4
    String id = fx.contact("ws-decline-1", "billing", "hello");
    assertThat(alice.next("offer").getString("interactionId")).isEqualTo(id);
    JsonObject ok = alice.command(new JsonObject().put("type", "decline").put("interactionId", id), "d1");
    assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
    JsonObject withdrawn = alice.next("offer_withdrawn");
    assertThat(withdrawn.getString("interactionId")).isEqualTo(id);
    assertThat(withdrawn.getString("reason")).isEqualTo("declined");
    JsonObject offer = emma.next("offer");
    assertThat(offer.getString("interactionId")).isEqualTo(id);
    assertThat(offer.getJsonObject("customer")).isNotNull();
  }

  @Test
  void closingTheSocketRequeuesTheAgentsOffersAtOnce() {
    Console alice = fx.available("alice");
    fx.contact("ws-close-1", "billing", "hello");
    alice.next("offer");
    var withdrawn = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> "agent console disconnected".equals(e.getString("reason")));
    long closedAt = System.nanoTime();
    alice.close();
    SocketFixture.await(withdrawn);
    // Presence alone would take 4 s to lapse, plus the next sweep.
    assertThat((System.nanoTime() - closedAt) / 1_000_000).isLessThan(2_500);
  }

  @Test
  void aReconnectingConsoleFindsTheLiveOfferExactlyOnceInItsSnapshot() {
    String token = fx.token("alice");
    Console first = fx.available("alice");
    String id = fx.contact("ws-reconnect-1", "billing", "hello");
    first.next("offer");

    Console second = fx.console();
    JsonObject snapshot = second.authenticated(token);
    assertThat(snapshot.getJsonArray("offers").stream().map(o -> ((JsonObject) o).getString("interactionId")))
        .containsExactly(id);
    JsonObject offer = snapshot.getJsonArray("offers").getJsonObject(0);
    assertThat(offer.getString("preview")).isEqualTo("hello");
    assertThat(offer.getJsonObject("customer").getJsonArray("identities")).isNotEmpty();

    // The old socket goes away; another socket of the agent is open on this node, so the offer stays.
    first.close();
    second.command(new JsonObject().put("type", "resync"), "r1");
    JsonObject again = second.received("snapshot").getLast();
    assertThat(again.getJsonArray("offers").stream().map(o -> ((JsonObject) o).getString("interactionId")))
        .containsExactly(id);
    assertThat(second.received("offer")).as("the offer came in the snapshot, never as a second frame").isEmpty();
    assertThat(second.received("offer_withdrawn")).isEmpty();
    JsonArray live = fx.hub.get("/api/v1/agents/me/offers", bearer(token)).jsonArray();
    assertThat(live.getJsonObject(0).getString("interactionId")).isEqualTo(id);
  }

  @Test
  void typingTravelsBothWaysOnlyForTheAgentWorkingTheInteraction() throws Exception {
    Console alice = fx.available("alice");
    String id = fx.contact("ws-typing-1", "billing", "hello");
    alice.next("offer");
    alice.command(new JsonObject().put("type", "accept").put("interactionId", id), "a1");
    alice.next("assigned");
    var bus = fx.hub.hub().vertx().eventBus();

    // The customer types (as the web chat adapter reports it): the agent's console hears it.
    bus.publish(io.switchboard.hub.api.event.HubEvents.CUSTOMER_TYPING, new JsonObject().put("interactionId", id).put("on", true));
    JsonObject typing = alice.next("typing");
    assertThat(typing.getString("interactionId")).isEqualTo(id);
    assertThat(typing.getString("from")).isEqualTo("customer");
    assertThat(typing.getBoolean("on")).isTrue();

    // The agent types: the adapter's address gets it.
    var heard = new java.util.concurrent.CompletableFuture<JsonObject>();
    var consumer = bus.<JsonObject>consumer(io.switchboard.hub.api.event.HubEvents.AGENT_TYPING, m -> heard.complete(m.body()));
    consumer.completion().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    JsonObject ok = alice.command(new JsonObject().put("type", "typing").put("interactionId", id).put("on", true), "t1");
    assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
    assertThat(heard.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("interactionId", id).put("on", true));
    consumer.unregister();

    // Bad input: a clear error, nothing published, the socket keeps working.
    assertThat(alice.command(new JsonObject().put("type", "typing").put("interactionId", id), "t2").getString("field")).isEqualTo("on");
    assertThat(alice.command(new JsonObject().put("type", "typing").put("interactionId", id).put("on", "yes"), "t3")
        .getString("code")).isEqualTo("invalid-field");
    assertThat(alice.command(new JsonObject().put("type", "typing").put("interactionId", "nope").put("on", true), "t4")
        .getString("field")).isEqualTo("interactionId");
    assertThat(alice.command(new JsonObject().put("type", "typing").put("interactionId", UUID.randomUUID().toString()).put("on", true), "t5")
        .getString("code")).isEqualTo("not-found");
    Console bob = fx.available("bob");
    JsonObject foreign = bob.command(new JsonObject().put("type", "typing").put("interactionId", id).put("on", true), "t6");
    assertThat(foreign.getString("code")).isEqualTo("not-found");
    assertThat(bob.received("typing")).isEmpty();
    alice.assertAlive("after-typing");
  }

  @Test
  void anAgentCannotAcceptOrDeclineAnotherAgentsOfferAndNothingChanges() {
    Console alice = fx.available("alice");
    String id = fx.contact("ws-foreign-1", "billing", "hello");
    alice.next("offer");
    Console bob = fx.available("bob");

    for (String type : List.of("accept", "decline")) {
      JsonObject error = bob.command(new JsonObject().put("type", type).put("interactionId", id), type);
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getString("code")).isEqualTo("not-found");
      assertThat(error.getString("message")).contains(id);
    }
    JsonObject unknown = bob.command(new JsonObject().put("type", "accept").put("interactionId", UUID.randomUUID().toString()), "u");
    assertThat(unknown.getString("code")).isIn("not-found", "conflict");
    bob.assertAlive("still-here");

    alice.command(new JsonObject().put("type", "resync"), "r1");
    assertThat(alice.received("snapshot").getLast().getJsonArray("offers").getJsonObject(0).getString("interactionId")).isEqualTo(id);
    assertThat(alice.received("offer_withdrawn")).isEmpty();
    String sam = bearer(fx.token("sam"));
    assertThat(fx.hub.get("/api/v1/interactions/" + id, sam).json().getString("state")).isEqualTo("offered");
    assertThat(bob.received("offer")).isEmpty();
  }

  @Test
  void badFramesGetAClearErrorAndTheConnectionKeepsWorking() {
    Console alice = fx.console();
    // Before authentication: commands are refused, bad JSON is named, and auth still works afterwards.
    alice.sendText("{\"type\":\"ping\",\"ref\":\"early\"}");
    assertThat(alice.next("error").getString("code")).isEqualTo("not-authenticated");
    alice.sendText("{oops");
    assertThat(alice.next("error").getString("code")).isEqualTo("malformed-json");
    alice.authenticated(fx.token("alice"));
    alice.assertAlive("p0");

    record Bad(String frame, String code, String field) {}
    List<Bad> bad = List.of(
        new Bad("{\"type\":\"ping\"", "malformed-json", null),
        new Bad("not json at all", "malformed-json", null),
        new Bad("[1,2,3]", "invalid-frame", null),
        new Bad("\"ping\"", "invalid-frame", null),
        new Bad("{}", "invalid-field", "type"),
        new Bad("{\"type\":42}", "invalid-field", "type"),
        new Bad("{\"type\":\"dance\"}", "unknown-type", null),
        new Bad("{\"type\":\"accept\"}", "invalid-field", "interactionId"),
        new Bad("{\"type\":\"accept\",\"interactionId\":7}", "invalid-field", "interactionId"),
        new Bad("{\"type\":\"decline\",\"interactionId\":\"not-a-uuid\"}", "invalid-field", "interactionId"),
        new Bad("{\"type\":\"state\"}", "invalid-field", "state"),
        new Bad("{\"type\":\"state\",\"state\":\"sleeping\"}", "invalid-field", "state"),
        new Bad("{\"type\":\"state\",\"state\":\"break\",\"reason\":5}", "invalid-field", "reason"),
        new Bad("{\"type\":\"state\",\"state\":\"break\"}", "validation-failed", null),
        new Bad("{\"type\":\"ping\",\"ref\":{\"a\":1}}", "invalid-field", "ref"),
        new Bad("{\"type\":\"auth\",\"token\":\"sbt_again\"}", "already-authenticated", null),
        new Bad("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(20 * 1024) + "\"}", "frame-too-large", null));
    int n = 0;
    for (Bad b : bad) {
      alice.sendText(b.frame());
      JsonObject error = alice.next("error");
      assertThat(error.getString("code")).as("error for %s", b.frame().length() > 60 ? b.frame().substring(0, 60) : b.frame())
          .isEqualTo(b.code());
      assertThat(error.getString("message")).isNotBlank();
      if (b.field() != null) {
        assertThat(error.getString("field")).isEqualTo(b.field());
      }
      alice.assertAlive("after-" + n++);
    }
    alice.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
    assertThat(alice.next("error").getString("code")).isEqualTo("binary-not-supported");
    alice.assertAlive("after-binary");

    // The ref of a refused command comes back, so the console can match it.
    JsonObject refused = alice.command(new JsonObject().put("type", "accept").put("interactionId", "x"), "mine-1");
    assertThat(refused.getString("code")).isEqualTo("invalid-field");
    // And the hub keeps serving others.
    fx.available("emma").assertAlive("others");
  }

  @Test
  void aWrongTokenGetsAnErrorAndTheSocketIsClosedWith4401() {
    Console c = fx.console();
    c.send(new JsonObject().put("type", "auth").put("token", "sbt_not_a_real_token").put("ref", "login"));
    JsonObject error = c.next("error");
    assertThat(error.getString("code")).isEqualTo("unauthenticated");
    assertThat(error.getString("ref")).isEqualTo("login");
    assertThat(c.awaitClose()).isEqualTo((short) 4401);
  }

  @Test
  void anUnknownMajorVersionIsClosedWith4400() {
    Console c = fx.console();
    c.send(new JsonObject().put("type", "auth").put("token", fx.token("alice")).put("v", 2));
    JsonObject error = c.next("error");
    assertThat(error.getString("code")).isEqualTo("unsupported-version");
    assertThat(error.getInteger("supported")).isEqualTo(1);
    assertThat(c.awaitClose()).isEqualTo((short) 4400);
  }

  @Test
  void aPageFromAnotherOriginCannotOpenTheSocket() {
    int port = fx.hub.hub().httpPort();
    Console evil = new Console(fx.clients);
    try {
      var attempt = evil.tryConnect(Console.options(port, "https://evil.example"));
      Throwable refused = null;
      try {
        attempt.toCompletionStage().toCompletableFuture().get(Console.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        refused = e.getCause();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(403);
    } finally {
      evil.close();
    }
    // A plain GET is not a handshake.
    var plain = fx.hub.get(AgentSocketGateway.PATH, null);
    assertThat(plain.status()).isEqualTo(400);
    assertThat(plain.isProblem()).isTrue();
    assertThat(plain.json().getString("type")).isEqualTo("urn:switchboard:problem:websocket-expected");
    // The hub's own origin is fine; so is no Origin at all (a program, not a browser).
    fx.console().authenticated(fx.token("alice"));
    Console noOrigin = new Console(fx.clients);
    try {
      noOrigin.connect(port, null).authenticated(fx.token("bob"));
    } finally {
      noOrigin.close();
    }
  }

  @Test
  void aConsoleSendingTooManyFramesIsClosedWith4429AndOthersKeepWorking() {
    Console calm = fx.available("emma");
    Console flood = fx.console();
    flood.authenticated(fx.token("alice"));
    for (int i = 0; i < 400; i++) {
      flood.fire("{\"type\":\"ping\"}");
    }
    assertThat(flood.awaitClose()).isEqualTo((short) 4429);
    assertThat(flood.received("error").getLast().getString("code")).isEqualTo("rate-limited");
    calm.assertAlive("calm");
  }

  @Test
  @DisplayName("one frame over the server's 1 MiB frame limit gets frame-too-large and a 1009 close, not a silent cut")
  void aFrameOverTheServersFrameLimitGetsFrameTooLargeAndA1009Close() {
    Console c = fx.console(fx.hub.hub().httpPort(), new io.vertx.core.http.WebSocketClientOptions()
        .setMaxFrameSize(8 * 1024 * 1024).setMaxMessageSize(8 * 1024 * 1024));
    c.authenticated(fx.token("alice"));
    c.fire("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}");
    JsonObject error = c.next("error");
    assertThat(error.getString("code")).isEqualTo("frame-too-large");
    assertThat(error.getString("message")).contains("1048576");
    assertThat(c.awaitClose()).isEqualTo((short) 1009);
  }
}

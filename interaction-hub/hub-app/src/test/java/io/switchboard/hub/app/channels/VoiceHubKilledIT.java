package io.switchboard.hub.app.channels;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.faults.HubProcess;
import io.switchboard.hub.testsupport.FaultyServers;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.event.MusicOnHoldStartEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub node killed outright (-9: no shutdown, no AMI logoff, no lease given up) while it holds a talking call and an
 * offer ringing an agent's phone; two hubs started from the jar on the test's own PostgreSQL and Redis, one real
 * Asterisk 22 (skipped where none is installed). Calls come in through node A, the agents' consoles are on node B. Once
 * the dead node's leases run out ({@code callLease} 3 s here) node B takes both over: the talking call keeps its bridge
 * and is held, resumed and hung up through B; the ringing offer is withdrawn as lost (the phone A rang is hung up) and
 * offered again, and its caller is bridged. Nothing is left running: the killed hub leaves no process, node B is stopped
 * with SIGTERM, Asterisk stops with the class.
 *
 * <p>Failsafe passes {@code switchboard.jar} and {@code switchboard.config.dir}, as for HubProcessesIT.
 */
class VoiceHubKilledIT {
  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones")
          .answersAfter("1001", 1).exten("1003", VoiceMultiNodeTest.ringsFirstThenAnswers("1003")))
      .nodes(2).callerPrefix("killed-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 5s
              options:
                "2": { set: { ivr.topic: general }, goto: queue }
          waiting: { announceEvery: 0 }
          """);

  @TempDir Path tmp;
  FaultyServers servers;
  HubProcess a;
  HubProcess b;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
  final Set<String> beating = ConcurrentHashMap.newKeySet();

  @AfterEach
  void cleanUp() {
    heartbeats.shutdownNow();
    for (HubProcess hub : new HubProcess[] {a, b}) {
      if (hub != null) {
        hub.destroy();
      }
    }
    if (servers != null) {
      servers.close();
    }
  }

  Path config(int agiPort) {
    return TestHub.configWithChannel(VoiceChannelTest.RULES, "voice", Map.of("agiBind", "127.0.0.1", "agiPort", agiPort,
        "agiAddress", "127.0.0.1:" + agiPort, "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(),
        "ringTimeout", "15s", "callLease", "3s"));
  }

  @Test
  void aNodeKilledWithATalkingCallAndARingingOfferHandsBothOverAfterItsLease() throws Exception {
    servers = FaultyServers.start();
    Map<String, String> env = Map.of("SWITCHBOARD_VOICE_AMI_SECRET", RealAsterisk.AMI_SECRET);
    a = HubProcess.start("a", HubProcess.freePort(), config(asterisk.agiPort(0)), servers, tmp, env);
    b = HubProcess.start("b", HubProcess.freePort(), config(asterisk.agiPort(1)), servers, tmp, env);
    String nodeB = "127.0.0.1:" + asterisk.agiPort(1);
    AsteriskCalls calls = asterisk.calls();
    await("both nodes are logged in to Asterisk's AMI", Duration.ofSeconds(60), () -> a.logged("AMI connected") && b.logged("AMI connected"));
    heartbeats.scheduleAtFixedRate(() -> beating.forEach(t -> {
      try {
        call("POST", "/api/v1/agents/me/heartbeat", t, "");
      } catch (RuntimeException e) {
        // node B may be stopping; the next beat tries again
      }
    }), 0, 1, TimeUnit.SECONDS);
    String admin = login("ada");
    String alice = login("alice");
    String bob = login("bob");
    String aliceId = me(alice);
    String bobId = me(bob);
    phone(admin, aliceId, "1001");
    phone(admin, bobId, "1003");

    // A talking call through node A: alice's phone answers.
    available(alice);
    String talkingPhone = calls.dial("5550100", "+4930500700");
    calls.press(talkingPhone, "2");
    await("the first caller is bridged with alice's phone (through node A)", () -> calls.bridges(talkingPhone + "-2") == 1);
    String talking = calls.variable(talkingPhone + "-2", "SB_INTERACTION");
    assertThat(talking).isNotNull();

    // A ringing offer from node A: bob's phone rings and is not answered.
    available(bob);
    String ringingPhone = calls.dial("5550100", "+4930500701");
    calls.press(ringingPhone, "2");
    await("bob's phone rings (rung by node A)", () -> ringingLegs(calls).size() == 1);
    String firstLeg = ringingLegs(calls).get(0);
    String ringing = calls.variable(ringingPhone + "-2", "SB_INTERACTION");
    assertThat(ringing).isNotNull();
    assertThat(state(ringing, admin)).isEqualTo("offered");

    // Node A dies without a word.
    long killed = System.nanoTime();
    a.kill();
    await("node B controls the talking call (its caller's SB_HUB)", Duration.ofSeconds(60),
        () -> nodeB.equals(calls.variable(talkingPhone + "-2", "SB_HUB")));
    long talkingTaken = System.nanoTime();
    assertThat(calls.hungUp(talkingPhone)).as("the talking call survived its node").isFalse();
    await("the phone node A rang is hung up", Duration.ofSeconds(60), () -> calls.hungUp(firstLeg));
    await("the second caller is bridged with bob's phone by node B", Duration.ofSeconds(60),
        () -> calls.bridges(ringingPhone + "-2") == 1);
    long ringingBridged = System.nanoTime();
    System.out.printf("node A killed -> talking call controlled by B %d ms; -> ringing offer withdrawn, offered again and bridged %d ms%n",
        (talkingTaken - killed) / 1_000_000, (ringingBridged - killed) / 1_000_000);
    List<String> reasons = transitions(ringing, admin);
    assertThat(reasons).as("withdrawn because its node went away, not timed out")
        .contains("the hub node ringing the agent's phone went away").doesNotContain("offer timed out");
    assertThat(state(ringing, admin)).isEqualTo("assigned");

    // The talking call is controlled through node B: hold (the caller hears music), resume (bridged again), hang-up.
    var hold = call("POST", "/api/v1/interactions/" + talking + "/call/hold", alice, "");
    assertThat(hold.statusCode()).as(hold.body()).isEqualTo(202);
    await("the caller hears music on hold", () -> calls.seen(MusicOnHoldStartEvent.class,
        m -> (talkingPhone + "-2").equals(m.getUniqueId())));
    var resume = call("POST", "/api/v1/interactions/" + talking + "/call/resume", alice, "");
    assertThat(resume.statusCode()).as(resume.body()).isEqualTo(202);
    await("the caller is bridged with alice again by node B", () -> calls.bridges(talkingPhone + "-2") == 2);
    var hangUp = call("POST", "/api/v1/interactions/" + talking + "/call/hangup", alice, "");
    assertThat(hangUp.statusCode()).as(hangUp.body()).isEqualTo(202);
    await("the first caller's phone is hung up", () -> calls.hungUp(talkingPhone));
    await("the hub hears the first caller left", () -> detail(talking, admin).getJsonObject("customerLeft") != null);
    assertThat(state(talking, admin)).as("not abandoned: it stays with alice until she ends it").isEqualTo("assigned");
    var end = call("POST", "/api/v1/interactions/" + talking + "/end", alice, "");
    assertThat(end.statusCode()).as(end.body()).isEqualTo(200);

    var hangUp2 = call("POST", "/api/v1/interactions/" + ringing + "/call/hangup", bob, "");
    assertThat(hangUp2.statusCode()).as(hangUp2.body()).isEqualTo(202);
    await("the second caller's phone is hung up", () -> calls.hungUp(ringingPhone));
    beating.clear();
    b.stop();
  }

  /** The ;1 halves of the Local channels rung on bob's phone (1003) that are still up, by uniqueid. */
  static List<String> ringingLegs(AsteriskCalls calls) {
    return calls.events().stream().filter(e -> e instanceof NewChannelEvent n && n.getChannel() != null
            && n.getChannel().startsWith("Local/1003@test-phones-") && n.getChannel().endsWith(";1"))
        .map(e -> ((NewChannelEvent) e).getUniqueId()).filter(u -> !calls.hungUp(u)).toList();
  }

  String login(String user) throws Exception {
    var r = call("POST", "/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", user + "-demo-pw").encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("token");
  }

  String me(String token) {
    return new JsonObject(call("GET", "/api/v1/auth/me", token, null).body()).getString("id");
  }

  void phone(String admin, String agentId, String extension) {
    var r = call("PUT", "/api/v1/agents/" + agentId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/" + extension + "@test-phones/n").encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  void available(String token) {
    beating.add(token);
    call("POST", "/api/v1/agents/me/heartbeat", token, "");
    var r = call("PUT", "/api/v1/agents/me/state", token, new JsonObject().put("state", "available").encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  JsonObject detail(String id, String token) {
    return new JsonObject(call("GET", "/api/v1/interactions/" + id, token, null).body());
  }

  String state(String id, String token) {
    return detail(id, token).getString("state");
  }

  List<String> transitions(String id, String token) {
    return detail(id, token).getJsonArray("transitions").stream()
        .map(o -> ((JsonObject) o).getString("reason")).filter(java.util.Objects::nonNull).toList();
  }

  /** A request to node B (the consoles' node). */
  HttpResponse<String> call(String method, String path, String token, String body) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    try {
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

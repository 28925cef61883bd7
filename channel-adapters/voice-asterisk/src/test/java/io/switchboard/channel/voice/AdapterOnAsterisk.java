package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.CallAction;
import io.switchboard.hub.api.spi.CallState;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The voice adapter on a real Asterisk for one test class ({@code @RegisterExtension static final}): a
 * {@link PrivateAsterisk} (skipped where none is installed), the hub in memory ({@link FakeHub}) with the FastAGI and
 * AMI settings pointed at it plus the test's own, and a started {@link AsteriskAdapter}; all stopped after the class.
 * The steps every call-flow test takes (dial to the first menu, queue, bridge to an agent, staff controls) are here.
 */
final class AdapterOnAsterisk implements BeforeAllCallback, AfterAllCallback {
  final PrivateAsterisk asterisk;
  private final Map<String, Object> settings;
  private final Map<AgentId, String> phones = new HashMap<>();
  Vertx vertx;
  FakeHub hub;
  AsteriskAdapter adapter;
  AsteriskCalls calls;

  AdapterOnAsterisk(PrivateAsterisk asterisk, Map<String, Object> settings) {
    this.asterisk = asterisk;
    this.settings = settings;
  }

  /** Gives {@code agent} this phone endpoint from the start. */
  AdapterOnAsterisk phone(AgentId agent, String endpoint) {
    phones.put(agent, endpoint);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    asterisk.beforeAll(context);
    calls = asterisk.calls();
    Map<String, Object> all = new HashMap<>(settings);
    all.putAll(Map.of("agiPort", asterisk.agiPort(), "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort(),
        "ivrFile", asterisk.ivrFile().toString()));
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, all);
    hub.endpoints.putAll(phones);
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    await("AMI connected", () -> adapter.ami().connected());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (adapter != null) {
        adapter.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      asterisk.afterAll(context);
    }
  }

  /** The adapter's call whose caller's phone (;1 half) is {@code phone}; null when there is none (yet, or any more). */
  Call callOf(String phone) {
    return adapter.calls().get(phone + "-2");
  }

  /** Places a call from {@code callerId} to {@code dnis}; returns the caller's phone once the IVR's first menu runs. */
  String dial(String dnis, String callerId) throws Exception {
    return atFirstMenu(calls.dial(dnis, callerId));
  }

  /** As {@link #dial(String, String)}, with a phone that runs {@code exten@context} (says a tone, say). */
  String dial(String dnis, String callerId, String context, String exten) throws Exception {
    return atFirstMenu(calls.dial(dnis, callerId, context, exten));
  }

  private String atFirstMenu(String phone) throws InterruptedException {
    await("the call reaches the IVR's first menu", () -> callOf(phone) != null && callOf(phone).menu != null);
    return phone;
  }

  /** Presses {@code keys}, then waits until the call waits in the queue; returns the call. */
  Call queue(String phone, String keys) throws Exception {
    calls.press(phone, keys);
    await("the call is queued", () -> waiting(callOf(phone)));
    return callOf(phone);
  }

  /** What the hub took in for a queued call. */
  InboundContact contactOf(Call call) {
    return hub.contacts.stream().filter(c -> c.externalId().equals(call.linkedId)).findFirst().orElseThrow();
  }

  /**
   * The call waits and an offer for its interaction finds it. The session sets the state just before it makes the call
   * findable by interaction: an offer sent on seeing the state alone could find nothing and be dropped (a flake at load).
   */
  boolean waiting(Call call) {
    return waiting(adapter, call);
  }

  /** As {@link #waiting(Call)}, for a test with an adapter of its own. */
  static boolean waiting(AsteriskAdapter adapter, Call call) {
    return call != null && call.state == Call.State.WAITING && call.interaction != null
        && adapter.call(call.interaction).orElse(null) == call;
  }

  /** Offers the queued call to {@code agent} (from {@code queue}, may be null) and waits until the two are bridged. */
  Call bridge(Call call, AgentId agent, String queue) throws InterruptedException {
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(call.interaction, agent, queue));
    await("caller and agent share a bridge", () -> calls.bridged(call.uniqueId) && call.state == Call.State.TALKING
        && call.agentChannel != null);
    return call;
  }

  /** The caller's phone (the ;1 half the test placed) of a call whose FastAGI channel is the ;2 half. */
  static String phoneOf(Call call) {
    return call.uniqueId.substring(0, call.uniqueId.length() - 2);
  }

  /** Staff's control of the call, as from the console ({@code by}: the supervisor who asks, or null). */
  void control(Call call, CallAction action, AgentId by) throws Exception {
    adapter.control(call.interaction, action, by).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Why {@link #control} failed; null when it did not. */
  Throwable refused(Call call, CallAction action, AgentId by) throws Exception {
    try {
      control(call, action, by);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** The call states the adapter reported for the interaction, in order. */
  List<CallState.Phase> phases(InteractionId id) {
    return hub.states.stream().filter(s -> s.interaction().equals(id)).map(CallState::phase).toList();
  }

  /** Whether the hub heard that the interaction's call ended (any reason). */
  boolean left(InteractionId id) {
    return hub.left.stream().anyMatch(l -> l.startsWith(id.toString()));
  }
}

package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.Channel;
import io.vertx.core.Future;

/**
 * A channel adapter: translates one provider's events into {@link io.switchboard.hub.api.InboundContact}s
 * and delivers the hub's replies back through that provider.
 *
 * <h2>How to add a channel</h2>
 * <ol>
 *   <li>Create a module under {@code channel-adapters/} that depends on {@code hub-api} only.</li>
 *   <li>Implement this interface; list the class in
 *       {@code META-INF/services/io.switchboard.hub.api.spi.ChannelAdapter}.</li>
 *   <li>Inbound: turn each provider event into an {@code InboundContact} and call
 *       {@link ChannelContext#inbound()}; acknowledge the provider only after the returned future
 *       succeeds (the hub has then stored it). Re-delivering the same external id is safe.</li>
 *   <li>Outbound ({@link Kind#MESSAGE} channels): implement {@link #send}. Return a failed
 *       {@link DeliveryResult} rather than throwing: the hub stores the reason on the message and retries
 *       retryable failures through its outbox. Never filter private notes or echoes here: the hub does.</li>
 *   <li>Live sessions ({@link Kind#LIVE_SESSION}, voice): react to {@link #onInteractionEvent} (bridge on
 *       accept, hang up on end).</li>
 * </ol>
 *
 * <h2>Lifecycle and threading</h2>
 * The hub finds adapters with {@link java.util.ServiceLoader}, calls {@link #start} once on a Vert.x
 * context before serving, and {@link #stop} once at shutdown. {@link #send} and {@link #onInteractionEvent}
 * are called on a Vert.x context and must not block it: run blocking provider libraries on a worker or
 * virtual thread and complete the returned future from there. A failed start stops the hub with the
 * adapter's message.
 */
public interface ChannelAdapter {

  /** How interactions of this channel live. */
  enum Kind {
    /** An interaction is a thread of messages; replies go out through {@link #send}. */
    MESSAGE,
    /** An interaction is a session held by the provider (a call) until someone hangs up. */
    LIVE_SESSION
  }

  /** A short unique name, also the key of the adapter's section in switchboard.yaml (for example "email"). */
  String name();

  /** The channel whose interactions this adapter carries. */
  Channel channel();

  /** Whether interactions are message threads or live sessions. */
  Kind kind();

  /** Connects to the provider and starts receiving. */
  Future<Void> start(ChannelContext context);

  /** Stops receiving and releases connections; in-flight deliveries may complete or fail. */
  Future<Void> stop();

  /**
   * Delivers one outbound message through the provider. Only called for {@link Kind#MESSAGE} adapters.
   *
   * @return the outcome; a future failed with an exception counts as a retryable failure
   */
  default Future<DeliveryResult> send(OutboundMessage message) {
    return Future.succeededFuture(
        new DeliveryResult.Failed("channel " + name() + " does not send messages", false));
  }

  /**
   * Whether a reply in an interaction with these attributes (the metadata it arrived with) can go out now.
   * The hub shows it to the agent before they write and refuses replies while it is
   * {@link SendReadiness.State#UNAVAILABLE}. Called on an event loop: answer from memory, never block.
   * The default: message adapters are ready, live-session adapters send nothing.
   */
  default SendReadiness sendReadiness(java.util.Map<String, String> attributes) {
    return kind() == Kind.MESSAGE ? SendReadiness.READY
        : SendReadiness.unavailable("channel " + name() + " does not send messages");
  }

  /**
   * The hub's mail sender, when this adapter provides one (the email adapter does); null otherwise. The hub
   * offers the first one it finds to every adapter through {@link ChannelContext#mail()}.
   */
  default MailSender mailSender() {
    return null;
  }

  /**
   * Told when one of this channel's interactions is offered, accepted, transferred or ended, so a
   * live-session channel can act (bridge the call, play a hold prompt, hang up). Message channels may ignore it.
   */
  default Future<Void> onInteractionEvent(InteractionLifecycleEvent event) {
    return Future.succeededFuture();
  }

  /**
   * Controls a live session ({@link Kind#LIVE_SESSION} adapters): the adapter acts on the node that holds the call
   * (telling its instances on other nodes through {@link ChannelContext#broadcast()} when it does not). Completes once
   * the action is handed over, not when the provider has carried it out.
   */
  default Future<Void> control(io.switchboard.hub.api.InteractionId interaction, CallAction action) {
    return Future.failedFuture(new UnsupportedOperationException("channel " + name() + " has no call control"));
  }

  /**
   * Controls a live session on behalf of a member of staff: as {@link #control(io.switchboard.hub.api.InteractionId,
   * CallAction)}, and the supervisor's actions ({@link CallAction#LISTEN}, {@link CallAction#WHISPER},
   * {@link CallAction#BARGE}) ring {@code by}'s own phone. The hub checks the caller's role before; the default ignores
   * {@code by}.
   */
  default Future<Void> control(io.switchboard.hub.api.InteractionId interaction, CallAction action,
      io.switchboard.hub.api.AgentId by) {
    return control(interaction, action);
  }
}

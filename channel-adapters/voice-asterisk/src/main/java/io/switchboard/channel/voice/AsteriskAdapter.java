package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.asteriskjava.fastagi.AgiScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phone calls through Asterisk: callers reach the IVR over FastAGI ({@code AGI(agi://hub:4573/switchboard)}), become
 * voice interactions through the hub's intake, wait with music and announcements, and are bridged to the agent the
 * router picked once that agent's phone (rung over AMI {@code Originate}) answers. See docs/voice.md.
 *
 * <p>Threading: every FastAGI session runs on a virtual thread and blocks freely; AMI calls run on virtual threads;
 * hub callbacks ({@link #onInteractionEvent}) only hand work over and return.
 *
 * <p>The adapter runs only when switchboard.yaml has a {@code channels.voice} section; without one it starts nothing.
 *
 * <p>Over 400 lines: it is the channel's single entry point (start and stop with the handover of calls, the registry
 * of calls by channel and interaction, hub events, call controls relayed between nodes, and reconciliation with
 * Asterisk, which needs that registry); the call steps themselves live in CallFlows, CallerWaiting, CallEvents,
 * CallControls, CallbackDialler and CallTakeover.
 */
public final class AsteriskAdapter implements ChannelAdapter {
  private static final Logger log = LoggerFactory.getLogger(AsteriskAdapter.class);

  private ChannelContext context;
  private VoiceSettings settings;
  private volatile Ivr ivr;
  private FileTime ivrStamp;
  private long reloadTimer = -1;
  private long reconcileTimer = -1;
  private final java.util.concurrent.atomic.AtomicBoolean reconciling = new java.util.concurrent.atomic.AtomicBoolean();
  /** How many changed IVR files were read and refused, the running version staying in force (tests). */
  final java.util.concurrent.atomic.AtomicInteger ivrRefusals = new java.util.concurrent.atomic.AtomicInteger();
  /** How many reconciliations ran (tests). */
  final java.util.concurrent.atomic.AtomicInteger reconciliations = new java.util.concurrent.atomic.AtomicInteger();
  private VirtualThreadAgiServer agi;
  private Thread agiThread;
  private AmiClient ami;
  private final Map<InteractionId, Call> byInteraction = new ConcurrentHashMap<>();
  private final Map<String, Call> byUniqueId = new ConcurrentHashMap<>();
  private final String node = UUID.randomUUID().toString();

  @Override
  public String name() {
    return "voice";
  }

  @Override
  public Channel channel() {
    return Channel.VOICE;
  }

  @Override
  public Kind kind() {
    return Kind.LIVE_SESSION;
  }

  @Override
  public Future<Void> start(ChannelContext ctx) {
    this.context = ctx;
    if (ctx.settings().isEmpty()) {
      log.atInfo().log("voice channel not configured (no channels.voice section); not started");
      return Future.succeededFuture();
    }
    try {
      settings = VoiceSettings.of(ctx.settings());
      ivr = IvrParser.parse(settings.ivrFile(), ctx.businessHours().calendars());
      ivrStamp = stamp();
    } catch (IvrException | IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException(e.getMessage(), e));
    }
    return this.<Void>blocking(() -> {
      agi = new VirtualThreadAgiServer((request, channel) -> script(request.getScript()));
      agi.setPort(settings.agiPort());
      agi.setAddress(InetAddress.getByName(settings.agiBind()));
      CallFlows flows = new CallFlows(this);
      this.flows = flows;
      this.controls = new CallControls(this);
      this.takeover = new CallTakeover(this);
      java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
      VirtualThreadAgiServer server = agi;
      agiThread = Thread.ofPlatform().daemon().name("voice-agi-server").start(() -> {
        try {
          server.startup();
        } catch (IOException | RuntimeException e) {
          failed.set(e);
          server.bound.countDown();
        }
      });
      // startup() blocks while serving: wait until the socket is bound or startup failed.
      if (!server.bound.await(10, java.util.concurrent.TimeUnit.SECONDS) || failed.get() != null) {
        Exception cause = failed.get();
        throw new IllegalStateException("FastAGI server cannot listen on " + settings.agiBind() + ":" + settings.agiPort()
            + (cause == null ? " (no answer within 10 s)" : ": " + cause.getMessage()), cause);
      }
      ami = new AmiClient(settings, context.secret("AMI_SECRET"), this);
      ami.start();
      return null;
    }).compose(x -> context.broadcast().subscribe(CONTROL_TOPIC, this::onControl)).onSuccess(sub -> {
      controlSubscription = sub;
      reloadTimer = context.vertx().setPeriodic(2_000, id -> reloadIfChanged());
      // Several hub nodes: renew the leases of this node's calls, take over talking calls whose node went away.
      leaseTimer = context.vertx().setPeriodic(Math.max(1_000, settings.callLease().toMillis() / 3), id -> {
        if (!stopping && ticking.compareAndSet(false, true)) {
          Thread.ofVirtual().name("voice-call-leases").start(() -> {
            try {
              takeover.tick();
            } catch (RuntimeException e) {
              log.atWarn().addKeyValue("error", e.toString()).log("call lease pass failed");
            } finally {
              ticking.set(false);
            }
          });
        }
      });
      if (!settings.reconcileEvery().isZero()) {
        // Besides every AMI login: a hang-up event missed while AMI was slow must not leave a call waiting forever.
        reconcileTimer = context.vertx().setPeriodic(settings.reconcileEvery().toMillis(), id -> {
          if (ami != null && ami.connected() && reconciling.compareAndSet(false, true)) {
            Thread.ofVirtual().name("voice-reconcile").start(() -> {
              try {
                reconcile();
              } finally {
                reconciling.set(false);
              }
            });
          }
        });
      }
      log.atInfo().addKeyValue("agiPort", settings.agiPort()).addKeyValue("ami", settings.amiHost() + ":" + settings.amiPort())
          .addKeyValue("entryPoints", ivr.entryPoints().size()).addKeyValue("menus", ivr.menus().size())
          .log("voice channel started");
    }).mapEmpty();
  }

  private CallFlows flows;
  private CallControls controls;
  private CallTakeover takeover;
  private volatile boolean stopping;
  private long leaseTimer = -1;
  private final java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean();
  private io.switchboard.hub.api.spi.ChannelBroadcast.Subscription controlSubscription;

  private AgiScript script(String name) {
    String n = name == null ? "" : name.replaceFirst("^/+", "");
    return switch (n) {
      case "switchboard" -> flows::caller;
      case "agent" -> flows::agent;
      default -> (request, channel) -> {
        log.atWarn().addKeyValue("script", name).addKeyValue("channel", request.getChannel())
            .log("FastAGI request for an unknown script; hanging up (use agi://host:port/switchboard or /agent)");
        channel.hangup();
      };
    };
  }

  @Override
  public Future<Void> stop() {
    if (settings == null) {
      return Future.succeededFuture();
    }
    stopping = true;
    if (reloadTimer >= 0) {
      context.vertx().cancelTimer(reloadTimer);
    }
    if (leaseTimer >= 0) {
      context.vertx().cancelTimer(leaseTimer);
    }
    if (reconcileTimer >= 0) {
      context.vertx().cancelTimer(reconcileTimer);
    }
    if (controlSubscription != null) {
      controlSubscription.cancel();
    }
    return this.<Void>blocking(() -> {
      // Hand the calls over: every caller's session is dropped (the dialplan takes the caller to the next node), and
      // every call's lease is given up so that another node takes it at once instead of when it runs out.
      if (agi != null) {
        try {
          agi.shutdown(); // first: a caller handed over must not come back to this node
        } catch (IllegalStateException e) {
          // never started
        }
        int dropped = agi.dropSessions();
        log.atInfo().addKeyValue("sessions", dropped).addKeyValue("calls", byInteraction.size())
            .log("voice channel stopping; handing its calls over to the other hub nodes");
      }
      for (Call call : byInteraction.values()) {
        if (call.state != Call.State.CALLBACK) { // a waiting callback's lease is taken when it rings
          try {
            CallFlows.await(context.leases().release((call.state.callback() ? CALLBACK_LEASE : CallTakeover.CALL_LEASE)
                + call.interaction, node));
          } catch (Exception e) {
            log.atDebug().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString()).log("could not give a call's lease up");
          }
        }
      }
      if (ami != null) {
        ami.stop();
      }
      if (agiThread != null) {
        agiThread.join(5_000);
      }
      return null;
    });
  }

  /** The IVR version in force. */
  Ivr ivr() {
    return ivr;
  }

  ChannelContext context() {
    return context;
  }

  VoiceSettings settings() {
    return settings;
  }

  AmiClient ami() {
    return ami;
  }

  CallFlows flows() {
    return flows;
  }

  CallControls controls() {
    return controls;
  }

  CallTakeover takeover() {
    return takeover;
  }

  /** True once the adapter stops: its sessions end without telling the hub anything (the calls are handed over). */
  boolean stopping() {
    return stopping;
  }

  /** The calls this node controls now. */
  java.util.Collection<Call> controlled() {
    return byInteraction.values();
  }

  /** The post-call survey step (the hub's {@code Surveys}; prompts and timeout from the IVR file in force). */
  PostCallSurvey survey() {
    return new PostCallSurvey(context.surveys(), ivr.survey());
  }

  /** AMI saw a channel hang up: a caller on hold whose agent's leg it was stops waiting for that leg. */
  void channelHungUp(String channel) {
    for (Call call : byInteraction.values()) {
      if (call.detached && call.state == Call.State.CALLBACK_TALKING && channel.equals(call.agentChannel)) {
        // A talking callback taken over from a node that went away: the agent's leg hung up (the agent, or staff).
        call.detached = false;
        Thread.ofVirtual().start(() -> flows.dialler().adoptedLegGone(call));
      }
    }
    for (Call call : byUniqueId.values()) {
      if (channel.equals(call.agentChannel) || channel.equals(call.customerChannel)) {
        call.signals.add(new Call.Signal.AgentGone(channel)); // a leg waiting on hold went
      }
      if (call.detached && channel.equals(call.channel) && call.state != Call.State.ENDED) {
        // A call taken over while talking has no session here to notice the caller's hang-up.
        call.detached = false;
        Thread.ofVirtual().start(() -> {
          flows.ended(call, "caller hung up");
          call.state = Call.State.ENDED;
          forget(call);
        });
      }
    }
  }

  String node() {
    return node;
  }

  /** Registers a caller's new session; false when a live session of this node already serves that channel. */
  boolean register(Call call) {
    Call[] clash = new Call[1];
    byUniqueId.compute(call.uniqueId, (id, prev) -> {
      if (prev == null || prev == call || prev.state == Call.State.ENDED) {
        return call;
      }
      clash[0] = prev;
      return prev;
    });
    return clash[0] == null;
  }

  /**
   * Makes a call findable by its interaction; false when another live call of this node already holds that
   * interaction (the same call sent twice by Asterisk).
   */
  boolean queued(Call call) {
    Call[] clash = new Call[1];
    byInteraction.compute(call.interaction, (id, prev) -> {
      if (prev == null || prev == call || prev.state == Call.State.ENDED) {
        return call;
      }
      clash[0] = prev;
      return prev;
    });
    return clash[0] == null;
  }

  /** Puts {@code next} in the place of {@code call} (same interaction); false when {@code call} no longer holds it. */
  boolean replace(Call call, Call next) {
    return byInteraction.replace(call.interaction, call, next);
  }

  /** The caller's channel is gone but the call lives on as a callback (held by its interaction only). */
  void channelGone(Call call) {
    byUniqueId.remove(call.uniqueId, call);
  }

  /** AMI says a Dial from channel {@code uniqueId} was answered: when that is a callback's agent leg, it connected. */
  void dialAnswered(String uniqueId, String customerChannel, String customerLegId) {
    for (Call c : byInteraction.values()) {
      if (c.state == Call.State.CALLBACK_DIALLING && uniqueId != null && uniqueId.equals(c.agentLegId)) {
        c.callbackConnected = true;
        c.customerChannel = customerChannel;
        c.customerLegId = customerLegId;
        controls().state(c, Call.State.CALLBACK_TALKING); // the console shows the call talking
        // A callback of a recorded queue is recorded from the customer's answer, as a call from the bridge (an AMI action:
        // not on the event pump's thread).
        Thread.ofVirtual().name("voice-callback-recording").start(() -> controls().bridged(c));
      }
    }
  }

  /** Callbacks this node holds now (for tests). */
  java.util.List<Call> callbacks() {
    return byInteraction.values().stream().filter(c -> c.state.callback()).toList();
  }

  void forget(Call call) {
    byUniqueId.remove(call.uniqueId, call);
    if (call.interaction != null && byInteraction.remove(call.interaction, call) && takeover != null) {
      takeover.release(call);
    }
  }

  Optional<Call> call(InteractionId id) {
    return Optional.ofNullable(byInteraction.get(id));
  }

  /** Calls this node holds now (for tests and reconciliation). */
  Map<String, Call> calls() {
    return Map.copyOf(byUniqueId);
  }

  private void reloadIfChanged() {
    FileTime now = stamp();
    if (now == null || now.equals(ivrStamp)) {
      return;
    }
    ivrStamp = now;
    context.vertx().executeBlocking(() -> IvrParser.parse(settings.ivrFile(), context.businessHours().calendars()), false).onComplete(ar -> {
      if (ar.succeeded()) {
        ivr = ar.result();
        log.atInfo().addKeyValue("file", settings.ivrFile()).log("IVR reloaded");
      } else {
        log.atError().addKeyValue("file", settings.ivrFile()).addKeyValue("problems", ar.cause().getMessage())
            .log("IVR file has problems; the running version stays in force");
        ivrRefusals.incrementAndGet();
      }
    });
  }

  private FileTime stamp() {
    try {
      return Files.getLastModifiedTime(settings.ivrFile());
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public Future<Void> onInteractionEvent(InteractionLifecycleEvent event) {
    Call call = byInteraction.get(event.interactionId());
    if (call == null) {
      return Future.succeededFuture();
    }
    switch (event) {
      case InteractionLifecycleEvent.Offered o -> {
        if (o.queue() != null) {
          call.queue = o.queue();
        }
        Thread.ofVirtual().start(() -> flows.events.ring(call, o.agentId()));
      }
      case InteractionLifecycleEvent.Withdrawn w -> Thread.ofVirtual().start(() -> flows.events.stopRinging(call, w.reason()));
      case InteractionLifecycleEvent.Accepted a -> log.atInfo().addKeyValue("interactionId", a.interactionId())
          .addKeyValue("agentId", a.agentId()).log("offer accepted; the caller is bridged when the agent's phone answers");
      case InteractionLifecycleEvent.Ended e -> Thread.ofVirtual().start(() -> flows.events.hangUp(call, e.reason()));
      case InteractionLifecycleEvent.Transferred t -> {
        // A talking callback's customer becomes a waiting caller at once (before the router's next offer can ring).
        Call waiting = call.state == Call.State.CALLBACK_TALKING ? flows.dialler().transferring(call)
            : call.state == Call.State.CALLBACK_DIALLING ? flows.dialler().requeued(call) : null;
        Thread.ofVirtual().start(() -> {
          if (waiting != null && waiting.state == Call.State.CALLBACK) {
            flows.dialler().stopDialling(call);
          } else if (waiting != null) {
            flows.dialler().transfer(call, waiting);
          } else {
            flows.events.transferred(call);
          }
        });
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> control(InteractionId interaction, io.switchboard.hub.api.spi.CallAction action) {
    return control(interaction, action, null);
  }

  /**
   * Carries out a call control on the node that holds the call: here when this node holds it (the future fails with
   * the control's {@link io.switchboard.hub.api.error.ConflictException} when the call's state does not allow it),
   * else told to the other nodes' instances through the broadcast (the future succeeds once handed over).
   */
  @Override
  public Future<Void> control(InteractionId interaction, io.switchboard.hub.api.spi.CallAction action, AgentId by) {
    if (settings == null) {
      return Future.failedFuture(new IllegalStateException("the voice channel is not configured"));
    }
    Call call = byInteraction.get(interaction);
    if (call != null) {
      return blocking(() -> {
        controls.act(call, action, by);
        return null;
      });
    }
    // Another node may hold the call: its instance acts.
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
        .put("interactionId", interaction.toString()).put("action", action.name()).put("from", node);
    if (by != null) {
      body.put("by", by.toString());
    }
    context.broadcast().publish(CONTROL_TOPIC, body);
    return Future.succeededFuture();
  }

  private static final String CONTROL_TOPIC = "call-control";

  private void onControl(io.vertx.core.json.JsonObject body) {
    try {
      Call call = byInteraction.get(InteractionId.parse(body.getString("interactionId")));
      var action = io.switchboard.hub.api.spi.CallAction.valueOf(body.getString("action"));
      AgentId by = body.getString("by") == null ? null : AgentId.parse(body.getString("by"));
      if (call != null) {
        Thread.ofVirtual().start(() -> {
          try {
            controls.act(call, action, by);
          } catch (Exception e) {
            log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("action", action)
                .addKeyValue("error", e.getMessage()).log("call control asked by another node failed");
          }
        });
      }
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("body", body.encode()).log("ignoring a malformed call-control message");
    }
  }

  /**
   * Compares calls with Asterisk ({@code CoreShowChannels}) after an AMI (re)connect, also after a hub restart: a call
   * this node holds whose channel is gone is ended, and an unfinished voice interaction of the hub whose call
   * (linkedid) no longer exists in Asterisk is reported as left (a waiting one is abandoned, a worked one stays with
   * its agent, who is told). Interactions whose call is still up are left alone.
   *
   * @return how many channel ids Asterisk reported, or -1 when it could not be asked
   */
  synchronized int reconcile() {
    reconciliations.incrementAndGet();
    // Order matters when this runs while calls come and go (periodically): the hub's open interactions are read and
    // the time noted before Asterisk is asked, so every call or interaction compared existed before the channel list
    // was taken, and one that arrives meanwhile is never mistaken for gone.
    java.time.Instant asked = java.time.Instant.now();
    java.util.List<io.switchboard.hub.api.spi.OpenInteraction> open;
    try {
      open = CallFlows.await(context.openInteractions());
    } catch (Exception e) {
      log.atWarn().addKeyValue("error", e.toString()).log("reconciliation: could not read the hub's open voice interactions");
      open = null;
    }
    java.util.Set<String> live = ami == null ? null : ami.liveChannelIds();
    if (live == null) {
      return -1;
    }
    int gone = 0;
    for (Call call : byUniqueId.values()) {
      if (call.startedAt.isBefore(asked) && !live.contains(call.uniqueId) && call.state != Call.State.ENDED
          && !call.state.callback()) {
        log.atWarn().addKeyValue("channel", call.channel).addKeyValue("interactionId", call.interaction)
            .log("reconciliation: the call's channel is gone in Asterisk");
        forget(call);
        if (call.interaction != null) {
          tellLeft(call.interaction, "call gone in Asterisk (reconciled)");
          gone++;
        }
      }
    }
    if (open == null) {
      return live.size();
    }
    int adopted = 0;
    for (var o : open) {
      if (byInteraction.containsKey(o.id())) {
        continue;
      }
      if ("requested".equals(o.attributes().get("voice.callback")) && adopt(o)) {
        adopted++;
        continue;
      }
      if (!live.contains(o.externalId())) {
        log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("linkedId", o.externalId()).addKeyValue("state", o.state())
            .log("reconciliation: the interaction's call is gone in Asterisk");
        tellLeft(o.id(), "call gone in Asterisk (reconciled)");
        gone++;
      }
    }
    log.atInfo().addKeyValue("channels", live.size()).addKeyValue("callsHere", byUniqueId.size())
        .addKeyValue("openInteractions", open.size()).addKeyValue("closed", gone).addKeyValue("callbacksAdopted", adopted)
        .log("reconciled calls with Asterisk");
    return live.size();
  }

  /**
   * A callback the hub has waiting that no session of this node holds (after a hub restart, or held by another
   * node): this node takes it on so an offer can dial it. Several nodes may hold it; the lease taken when an agent's
   * phone is rung for it ({@link #CALLBACK_LEASE}) lets only one of them dial. A callback without a usable number is
   * left alone (the agent sees the number it was taken in with). Also used by a takeover ({@link CallTakeover}).
   */
  boolean adopt(io.switchboard.hub.api.spi.OpenInteraction o) {
    String number = o.attributes().get("voice.callbackNumber");
    if (number == null || !number.matches("\\+?[0-9]{3,20}")) {
      log.atWarn().addKeyValue("interactionId", o.id()).log("reconciliation: a callback without a usable number is left alone");
      return true;
    }
    if (o.state() != io.switchboard.hub.api.InteractionState.QUEUED && o.state() != io.switchboard.hub.api.InteractionState.OFFERED
        && o.state() != io.switchboard.hub.api.InteractionState.CREATED) {
      return true; // being worked (or wrapped up): nothing left to dial
    }
    Call call = new Call(o.externalId(), o.externalId(), null, number, null);
    call.callbackNumber = number;
    call.interaction = o.id();
    call.queuedAt = java.time.Instant.now();
    call.state = Call.State.CALLBACK;
    if (byInteraction.putIfAbsent(o.id(), call) == null) {
      log.atInfo().addKeyValue("interactionId", o.id()).log("reconciliation: took on a waiting callback");
    }
    return true;
  }

  /** The lease one node takes to dial a callback (name prefix; the interaction id follows). */
  static final String CALLBACK_LEASE = "voice-callback:";

  private void tellLeft(InteractionId id, String reason) {
    try {
      CallFlows.await(context.interactions().customerLeft(id, reason));
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("error", e.toString()).log("reconciliation: the hub did not answer");
    }
  }

  /** Runs blocking work on a virtual thread; completes on the caller's context when there is one. */
  private <T> Future<T> blocking(Callable<T> work) {
    Promise<T> p = Promise.promise();
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    Thread.ofVirtual().name("voice-blocking").start(() -> {
      try {
        T value = work.call();
        if (caller == null) {
          p.complete(value);
        } else {
          caller.runOnContext(v -> p.complete(value));
        }
      } catch (Exception e) {
        if (caller == null) {
          p.fail(e);
        } else {
          caller.runOnContext(v -> p.fail(e));
        }
      }
    });
    return p.future();
  }

}

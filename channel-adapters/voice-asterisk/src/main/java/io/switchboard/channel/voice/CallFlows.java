package io.switchboard.channel.voice;

import io.switchboard.channel.voice.Ivr.Menu;
import io.switchboard.channel.voice.Ivr.Option;
import io.switchboard.channel.voice.Ivr.Prompt;
import io.switchboard.channel.voice.Ivr.Target;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ConversationReader.QueuePosition;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens on a call, step by step, on the FastAGI session's virtual thread: the caller's flow (IVR, intake,
 * waiting, bridge) and the agent leg's flow (answered → accept → bridged by the caller's session).
 */
final class CallFlows {
  private static final Logger log = LoggerFactory.getLogger(CallFlows.class);
  private static final int MAX_MENU_STEPS = 50;
  private static final Duration HUB_TIMEOUT = Duration.ofSeconds(10);

  private final AsteriskAdapter adapter;

  CallFlows(AsteriskAdapter adapter) {
    this.adapter = adapter;
  }

  // ------------------------------------------------------------------ caller

  void caller(AgiRequest request, AgiChannel channel) throws AgiException {
    String uniqueId = request.getUniqueId();
    String name = request.getChannel();
    if (blank(uniqueId) || blank(name)) {
      log.atWarn().addKeyValue("uniqueId", uniqueId).addKeyValue("channel", name)
          .log("malformed FastAGI request (no agi_uniqueid or agi_channel); hanging up");
      channel.hangup();
      return;
    }
    String dnis = firstNonBlank(request.getParameter("dnis"), "s".equals(request.getExtension()) ? null : request.getExtension(),
        "unknown".equals(request.getDnid()) ? null : request.getDnid());
    String linkedId = firstNonBlank(quiet(() -> channel.getFullVariable("${CHANNEL(linkedid)}")), uniqueId);
    String caller = request.getCallerIdNumber();
    Call call = new Call(uniqueId, linkedId, name, blank(caller) || "unknown".equalsIgnoreCase(caller) ? null : caller, dnis);
    adapter.register(call);
    try {
      channel.answer();
      Ivr ivr = adapter.ivr();
      Ivr.EntryPoint entry = ivr.entryFor(dnis);
      if (entry == null) {
        log.atWarn().addKeyValue("dnis", dnis).addKeyValue("channel", name)
            .log("no IVR entry point for the dialled number and no default; hanging up");
        channel.streamFile("ss-noservice");
        channel.hangup();
        return;
      }
      call.attributes.putAll(entry.attributes());
      call.attributes.put("voice.entryPoint", entry.name());
      if (dnis != null) {
        call.attributes.put("voice.dnis", dnis);
      }
      Target target = menus(ivr, entry.menu(), call, channel);
      if (target instanceof Target.Hangup) {
        log.atInfo().addKeyValue("channel", name).log("caller left through the IVR's hang-up option");
        channel.hangup();
        return;
      }
      if (!queue(call, channel)) {
        return;
      }
      waitForAgent(ivr, call, channel);
    } catch (AgiHangupException e) {
      callerHungUp(call);
    } finally {
      call.state = Call.State.ENDED;
      adapter.forget(call);
    }
  }

  /** Runs menus until one sends the call to the queue or hangs up. */
  private Target menus(Ivr ivr, String first, Call call, AgiChannel channel) throws AgiException {
    Menu menu = ivr.menus().get(first);
    int failures = 0;
    for (int step = 0; step < MAX_MENU_STEPS; step++) {
      call.menu = menu.name();
      StringBuilder escapes = new StringBuilder();
      menu.options().keySet().forEach(escapes::append);
      char key = play(channel, menu.prompts(), escapes.toString());
      if (key == 0) {
        key = channel.waitForDigit((int) menu.timeout().toMillis());
      }
      Option option = key == 0 ? null : menu.options().get(key);
      Target next;
      if (option != null) {
        call.attributes.putAll(option.attributes());
        next = option.target();
        failures = 0;
      } else if (++failures > menu.retries()) {
        log.atInfo().addKeyValue("menu", menu.name()).addKeyValue("channel", call.channel).log("IVR retries used up; fallback");
        next = menu.fallback();
        failures = 0;
      } else {
        play(channel, menu.invalidPrompts(), "");
        continue;
      }
      if (next instanceof Target.GoTo g) {
        menu = ivr.menus().get(g.menu());
        continue;
      }
      call.menu = null;
      return next;
    }
    log.atWarn().addKeyValue("channel", call.channel).log("IVR went through " + MAX_MENU_STEPS + " menus; queueing the call");
    return new Target.Queue();
  }

  /** Plays prompts; returns the key that interrupted them, or 0. */
  private static char play(AgiChannel channel, List<Prompt> prompts, String escapes) throws AgiException {
    for (Prompt p : prompts) {
      char c = switch (p) {
        case Prompt.Sound s -> channel.streamFile(s.name(), escapes);
        case Prompt.Number n -> channel.sayNumber(Long.toString(n.value()), escapes);
        case Prompt.Digits d -> channel.sayDigits(d.value(), escapes);
      };
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Hands the call to the hub's intake; false when the hub refused it (the caller has been told and hung up). */
  private boolean queue(Call call, AgiChannel channel) throws AgiException {
    Map<String, String> metadata = new LinkedHashMap<>(call.attributes);
    metadata.put("voice.uniqueId", call.uniqueId);
    metadata.put("voice.linkedId", call.linkedId);
    IntakeResult result;
    try {
      result = intake(call, metadata, call.callerNumber == null ? null : SenderAddress.phone(call.callerNumber));
    } catch (ValidationException e) {
      // A caller ID that is no phone number (a SIP user name, "anonymous"): the call stays anonymous.
      log.atInfo().addKeyValue("callerId", call.callerNumber).addKeyValue("problem", e.getMessage())
          .log("caller ID is not a phone number; the call is taken in as anonymous");
      try {
        result = intake(call, metadata, null);
      } catch (Exception again) {
        return refused(call, channel, again);
      }
    } catch (Exception e) {
      return refused(call, channel, e);
    }
    call.interaction = result.interactionId();
    call.queuedAt = Instant.now();
    adapter.queued(call); // before the state: an offer may follow the intake at once
    call.state = Call.State.WAITING;
    channel.setVariable("SB_INTERACTION", result.interactionId().toString());
    log.atInfo().addKeyValue("interactionId", result.interactionId()).addKeyValue("channel", call.channel)
        .addKeyValue("linkedId", call.linkedId).addKeyValue("outcome", result.outcome()).log("call queued");
    return true;
  }

  private IntakeResult intake(Call call, Map<String, String> metadata, SenderAddress sender) throws Exception {
    SenderAddress from = sender != null ? sender : SenderAddress.handle("voice", "anonymous-" + call.linkedId);
    InboundContact contact = new InboundContact(Channel.VOICE, call.linkedId, from, null, call.linkedId, List.of(), null,
        new MessageContent.Text("Phone call" + (call.callerNumber == null ? "" : " from " + call.callerNumber)
            + (call.dnis == null ? "" : " to " + call.dnis)), metadata, call.startedAt);
    return await(adapter.context().inbound().accept(contact));
  }

  private boolean refused(Call call, AgiChannel channel, Exception e) throws AgiException {
    log.atError().addKeyValue("channel", call.channel).addKeyValue("error", e.toString())
        .log("the hub did not take the call in; the caller hears an error and is hung up");
    channel.streamFile("ss-noservice");
    channel.hangup();
    return false;
  }

  /** Music, announcements, and the bridge once an agent answers. */
  private void waitForAgent(Ivr ivr, Call call, AgiChannel channel) throws AgiException {
    Ivr.Waiting waiting = ivr.waiting();
    channel.playMusicOnHold(waiting.musicClass());
    long every = waiting.announceEvery().toMillis();
    long nextAnnouncement = every == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + every;
    int poll = (int) Math.max(50, adapter.settings().pollInterval().toMillis());
    while (true) {
      Call.Signal signal = call.signals.poll();
      if (signal instanceof Call.Signal.Bridge b) {
        if (!bridge(call, channel, b)) {
          return;
        }
        // Transferred: the caller waits again for the next agent, in the place the router gives.
        channel.playMusicOnHold(waiting.musicClass());
        nextAnnouncement = every == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + every;
        continue;
      }
      channel.waitForDigit(poll);
      if (System.currentTimeMillis() >= nextAnnouncement) {
        if (call.state == Call.State.WAITING) {
          announce(waiting, call, channel);
        }
        nextAnnouncement = System.currentTimeMillis() + every;
      }
    }
  }

  private void announce(Ivr.Waiting waiting, Call call, AgiChannel channel) throws AgiException {
    QueuePosition p;
    try {
      p = await(adapter.context().conversations().position(call.interaction));
    } catch (Exception e) {
      log.atDebug().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString()).log("no queue position");
      return;
    }
    if (p == null || call.state != Call.State.WAITING || !call.signals.isEmpty()) {
      return;
    }
    channel.stopMusicOnHold();
    channel.streamFile(waiting.positionPrompt());
    channel.sayNumber(Integer.toString(p.position()));
    if (p.estimatedWait() != null) {
      channel.streamFile(waiting.waitPrompt());
      channel.sayNumber(Long.toString(Math.max(1, (p.estimatedWait().toSeconds() + 59) / 60)));
      channel.streamFile("queue-minutes");
    }
    channel.playMusicOnHold(waiting.musicClass());
  }

  /**
   * Bridges caller and agent until one hangs up; true when the caller should wait again (transferred). A hold moves the
   * agent's leg out of the bridge (CallControls): the caller hears music here until resumed, then is bridged again.
   */
  private boolean bridge(Call call, AgiChannel channel, Call.Signal.Bridge b) throws AgiException {
    call.agentChannel = b.agentChannel();
    call.agent = b.agent();
    call.ringingLeg = null;
    channel.stopMusicOnHold();
    adapter.controls().bridged(call);
    adapter.controls().state(call, Call.State.TALKING);
    long asked = System.nanoTime();
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", b.agent())
        .addKeyValue("agentChannel", b.agentChannel()).log("bridging caller and agent");
    while (true) {
      // Bridge(agent leg,x): the agent's leg is pulled out of its FastAGI session (or the hold context) into a bridge
      // with the caller, and hung up when the bridge ends. This session returns when either side leaves.
      channel.exec("Bridge", call.agentChannel + ",x");
      if (!call.holding || call.transferring) {
        break;
      }
      if (!onHold(call, channel)) {
        break;
      }
    }
    String result = quiet(() -> channel.getVariable("BRIDGERESULT"));
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("result", result)
        .addKeyValue("talkedMs", (System.nanoTime() - asked) / 1_000_000).log("bridge ended");
    call.agentChannel = null;
    call.ringing = null;
    call.holding = false;
    if (call.transferring) {
      call.transferring = false;
      call.agent = null;
      adapter.controls().state(call, Call.State.WAITING);
      log.atInfo().addKeyValue("interactionId", call.interaction).log("call transferred; the caller waits for the next agent");
      return true;
    }
    ended(call, "call ended");
    channel.hangup();
    return false;
  }

  /**
   * The caller is on hold: music until staff resume (true: bridge again) or the agent's leg goes (false: the call ends,
   * or waits again when it is being transferred).
   */
  private boolean onHold(Call call, AgiChannel channel) throws AgiException {
    adapter.controls().state(call, Call.State.ON_HOLD);
    channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
    int poll = (int) Math.max(50, adapter.settings().pollInterval().toMillis());
    while (true) {
      Call.Signal signal = call.signals.poll();
      if (signal instanceof Call.Signal.Resume) {
        synchronized (call) {
          call.holding = false;
        }
        channel.stopMusicOnHold();
        adapter.controls().state(call, Call.State.TALKING);
        return true;
      }
      if (signal instanceof Call.Signal.AgentGone g && g.agentChannel().equals(call.agentChannel)) {
        log.atInfo().addKeyValue("interactionId", call.interaction).log("the agent's leg hung up while the caller was on hold");
        channel.stopMusicOnHold();
        return false;
      }
      channel.waitForDigit(poll);
    }
  }

  private void callerHungUp(Call call) {
    String leg = call.ringingLeg;
    call.ringingLeg = null;
    if (leg != null && adapter.ami() != null) {
      adapter.ami().hangup(leg);
    }
    switch (call.state) {
      case IVR -> log.atInfo().addKeyValue("channel", call.channel).log("caller hung up in the IVR");
      case WAITING, RINGING -> {
        long waited = call.queuedAt == null ? 0 : Duration.between(call.queuedAt, Instant.now()).toSeconds();
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("waitedSeconds", waited)
            .log("caller hung up while waiting");
        ended(call, "caller hung up after waiting " + waited + " s");
      }
      case TALKING -> ended(call, "caller hung up");
      case ON_HOLD -> {
        // The agent's leg waits in the hold context: it would stay there.
        String held = call.agentChannel;
        if (held != null && adapter.ami() != null) {
          adapter.ami().hangup(held);
        }
        ended(call, "caller hung up while on hold");
      }
      case ENDED -> { }
    }
  }

  /** Tells the hub the caller is gone (a waiting call is abandoned; a call being worked stays with its agent). */
  private void ended(Call call, String reason) {
    if (call.interaction == null) {
      return;
    }
    adapter.controls().state(call, Call.State.ENDED);
    try {
      await(adapter.context().interactions().customerLeft(call.interaction, reason));
    } catch (Exception e) {
      log.atError().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not tell the hub the caller left; reconciliation will");
    }
  }

  // ------------------------------------------------------------------ agent leg

  void agent(AgiRequest request, AgiChannel channel) throws AgiException {
    String callVar = quiet(() -> channel.getVariable("SB_CALL"));
    String agentVar = quiet(() -> channel.getVariable("SB_AGENT"));
    InteractionId interaction;
    AgentId agent;
    try {
      interaction = InteractionId.parse(callVar);
      agent = AgentId.parse(agentVar);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("channel", request.getChannel()).addKeyValue("SB_CALL", callVar).addKeyValue("SB_AGENT", agentVar)
          .log("agent leg without valid SB_CALL/SB_AGENT; hanging up");
      channel.hangup();
      return;
    }
    Call call = adapter.call(interaction).orElse(null);
    if (call == null || call.state != Call.State.RINGING || !agent.equals(call.ringing)) {
      log.atInfo().addKeyValue("interactionId", interaction).addKeyValue("agentId", agent)
          .log("agent answered a call that no longer rings for them; hanging up");
      channel.hangup();
      return;
    }
    try {
      await(adapter.context().interactions().agentAnswered(interaction, agent));
    } catch (Exception e) {
      log.atInfo().addKeyValue("interactionId", interaction).addKeyValue("agentId", agent).addKeyValue("error", e.getMessage())
          .log("agent answered but the offer is gone; hanging up the agent's leg");
      channel.hangup();
      return;
    }
    call.signals.add(new Call.Signal.Bridge(request.getChannel(), agent));
    // The caller's session pulls this leg into the bridge, which ends this session with a hang-up.
    long deadline = System.currentTimeMillis() + 10_000;
    try {
      while (System.currentTimeMillis() < deadline) {
        channel.waitForDigit(500);
      }
    } catch (AgiHangupException e) {
      return;
    }
    log.atWarn().addKeyValue("interactionId", interaction).log("the caller was not bridged in time; hanging up the agent's leg");
    channel.hangup();
  }

  // ------------------------------------------------------------------ hub events

  /** The router offered the call to an agent: ring the agent's phone. */
  void ring(Call call, AgentId agent) {
    if (call.state != Call.State.WAITING) {
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state).log("offer for a call that does not wait; not ringing");
      return;
    }
    String endpoint;
    try {
      endpoint = await(adapter.context().phoneEndpoint(agent));
    } catch (Exception e) {
      log.atWarn().addKeyValue("agentId", agent).addKeyValue("error", e.toString()).log("could not read the agent's phone endpoint");
      return;
    }
    if (blank(endpoint)) {
      log.atWarn().addKeyValue("agentId", agent).addKeyValue("interactionId", call.interaction)
          .log("agent has no phone endpoint; the offer shows on the console only");
      return;
    }
    String leg = "sb-" + UUID.randomUUID();
    call.ringing = agent;
    call.ringingLeg = leg;
    adapter.controls().state(call, Call.State.RINGING);
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("SB_CALL", call.interaction.toString());
    vars.put("SB_AGENT", agent.toString());
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).addKeyValue("endpoint", endpoint)
        .log("ringing the agent's phone");
    boolean sent = adapter.ami() != null && adapter.ami().originate(endpoint, adapter.settings().agentContext(), vars,
        adapter.settings().ringTimeout(), leg, call.callerNumber);
    if (!sent && call.state == Call.State.RINGING) {
      call.state = Call.State.WAITING;
      call.ringing = null;
      call.ringingLeg = null;
    }
  }

  /** The offer ended without acceptance: stop ringing; the caller keeps waiting. */
  void stopRinging(Call call, String reason) {
    if (call.state != Call.State.RINGING) {
      return;
    }
    String leg = call.ringingLeg;
    call.state = Call.State.WAITING;
    call.ringing = null;
    call.ringingLeg = null;
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("reason", reason).log("offer withdrawn; stop ringing");
    if (leg != null && adapter.ami() != null) {
      adapter.ami().hangup(leg);
    }
  }

  /**
   * The interaction was transferred (to a queue or an agent, through the router): the agent's leg is hung up, the
   * caller's bridge ends and the caller waits again; the router's next offer rings the next agent.
   */
  void transferred(Call call) {
    switch (call.state) {
      case RINGING -> stopRinging(call, "transferred");
      case TALKING, ON_HOLD -> {
        String leg = call.agentChannel;
        if (leg != null && adapter.ami() != null) {
          call.transferring = true;
          log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentChannel", leg)
              .log("transfer: hanging up the agent's leg");
          if (!adapter.ami().hangup(leg)) {
            call.transferring = false;
          }
        }
      }
      default -> { }
    }
  }

  /** The hub ended the interaction: hang up the caller. */
  void hangUp(Call call, String reason) {
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("reason", reason).log("hanging up the call");
    if (adapter.ami() != null) {
      adapter.ami().hangup(call.channel);
    }
  }

  // ------------------------------------------------------------------ helpers

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(HUB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("the hub did not answer within " + HUB_TIMEOUT);
    }
  }

  private interface AgiCall {
    String get() throws AgiException;
  }

  private static String quiet(AgiCall c) throws AgiHangupException {
    try {
      String v = c.get();
      return blank(v) ? null : v;
    } catch (AgiHangupException e) {
      throw e;
    } catch (AgiException | RuntimeException e) {
      return null;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (!blank(v)) {
        return v;
      }
    }
    return null;
  }
}

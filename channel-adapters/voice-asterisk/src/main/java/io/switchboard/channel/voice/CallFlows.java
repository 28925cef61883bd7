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
  /** Asterisk's uniqueid/linkedid: digits and dots, or an id a channel was given at origination. */
  private static final java.util.regex.Pattern SAFE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._\\-]{1,150}");
  private static final java.util.regex.Pattern DNIS = java.util.regex.Pattern.compile("\\+?[0-9*#]{1,32}");
  /** A caller number a callback may dial: digits with an optional leading +, nothing a dial string could misuse. */
  private static final java.util.regex.Pattern CALLBACK_NUMBER = java.util.regex.Pattern.compile("\\+?[0-9]{3,20}");

  private final AsteriskAdapter adapter;
  private final EntrySteps steps;
  private final CallbackDialler dialler;

  CallFlows(AsteriskAdapter adapter) {
    this.adapter = adapter;
    this.steps = new EntrySteps(adapter);
    this.dialler = new CallbackDialler(adapter, this);
  }

  CallbackDialler dialler() {
    return dialler;
  }

  // ------------------------------------------------------------------ caller

  void caller(AgiRequest request, AgiChannel channel) throws AgiException {
    String uniqueId = request.getUniqueId();
    String name = request.getChannel();
    if (blank(uniqueId) || blank(name) || !SAFE_ID.matcher(uniqueId).matches() || name.length() > 256 || hasControl(name)) {
      log.atWarn().addKeyValue("uniqueId", printable(uniqueId)).addKeyValue("channel", printable(name))
          .log("malformed FastAGI request (agi_uniqueid or agi_channel missing or not an Asterisk id); hanging up");
      channel.hangup();
      return;
    }
    String rawDnis = firstNonBlank(request.getParameter("dnis"), "s".equals(request.getExtension()) ? null : request.getExtension(),
        "unknown".equals(request.getDnid()) ? null : request.getDnid());
    String dnis = rawDnis == null || DNIS.matcher(rawDnis).matches() ? rawDnis : null;
    if (rawDnis != null && dnis == null) {
      log.atWarn().addKeyValue("dnis", printable(rawDnis)).addKeyValue("channel", name)
          .log("the dialled number is not a number; the call is treated as to an unknown number");
    }
    String linkedId = firstNonBlank(quiet(() -> channel.getFullVariable("${CHANNEL(linkedid)}")), uniqueId);
    if (!SAFE_ID.matcher(linkedId).matches()) {
      linkedId = uniqueId;
    }
    String caller = request.getCallerIdNumber();
    if (caller != null && (caller.length() > 64 || hasControl(caller))) {
      log.atWarn().addKeyValue("callerId", printable(caller)).addKeyValue("channel", name).log("unusable caller ID; the call is anonymous");
      caller = null;
    }
    Call call = new Call(uniqueId, linkedId, name, blank(caller) || "unknown".equalsIgnoreCase(caller) ? null : caller, dnis);
    call.callbackNumber = call.callerNumber != null && CALLBACK_NUMBER.matcher(call.callerNumber).matches() ? call.callerNumber : null;
    String resumed = quiet(() -> channel.getVariable(CallTakeover.INTERACTION_VAR));
    if (resumed != null) {
      // The hub node that held this call went away and the dialplan handed the caller to this node.
      adapter.takeover().resume(call, resumed, channel);
      return;
    }
    if (!adapter.register(call)) {
      log.atWarn().addKeyValue("uniqueId", uniqueId).addKeyValue("channel", name)
          .log("duplicate FastAGI request for a call this node is already serving; hanging up the duplicate session");
      channel.hangup();
      return;
    }
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
      call.entry = entry;
      call.attributes.putAll(entry.attributes());
      call.attributes.put("voice.entryPoint", entry.name());
      if (dnis != null) {
        call.attributes.put("voice.dnis", dnis);
      }
      if (!steps.open(entry, call)) {
        call.attributes.put("voice.afterHours", "true");
        if (steps.afterHours(entry, call, channel) == EntrySteps.AfterHoursOutcome.CALLBACK_REQUESTED) {
          takeCallback(call, channel, entry.afterHours().confirm());
        }
        return;
      }
      if (entry.customerNumber() != null) {
        call.customerNumber = steps.customerNumber(entry.customerNumber(), call, channel);
      }
      Target target = menus(ivr, entry.menu(), call, channel);
      if (target instanceof Target.Hangup) {
        log.atInfo().addKeyValue("channel", name).log("caller left through the IVR's hang-up option");
        channel.hangup();
        return;
      }
      if (!queue(call, channel, Map.of())) {
        return;
      }
      waitForAgent(ivr, call, channel);
    } catch (AgiHangupException e) {
      callerHungUp(call);
    } finally {
      sessionOver(call);
    }
  }

  /** The caller's session is over: the call is forgotten, unless it lives on as a callback. */
  void sessionOver(Call call) {
    if (call.state.callback()) {
      adapter.takeover().release(call); // a callback has a lease of its own, taken when it is dialled
      adapter.channelGone(call); // the callback stays with the interaction until it is dialled
    } else {
      call.state = Call.State.ENDED;
      adapter.forget(call);
    }
  }

  /**
   * After hours the caller asked to be called back: the call is taken in as a callback (attributes
   * {@code voice.callback=requested}, the number), the caller hears the confirmation and is hung up.
   */
  private void takeCallback(Call call, AgiChannel channel, List<Prompt> confirm) throws AgiException {
    Map<String, String> extra = callbackAttributes(call);
    if (!queue(call, channel, extra)) {
      return;
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("number", call.callbackNumber)
        .log("callback requested after hours");
    play(channel, confirm, "");
    channel.hangup();
  }

  private static Map<String, String> callbackAttributes(Call call) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("voice.callback", "requested");
    a.put("voice.callbackNumber", call.callbackNumber);
    a.put("voice.callbackRequestedAt", Instant.now().toString());
    return a;
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
  static char play(AgiChannel channel, List<Prompt> prompts, String escapes) throws AgiException {
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
  private boolean queue(Call call, AgiChannel channel, Map<String, String> extra) throws AgiException {
    Call.State waiting = extra.containsKey("voice.callback") ? Call.State.CALLBACK : Call.State.WAITING;
    Map<String, String> metadata = new LinkedHashMap<>(call.attributes);
    metadata.putAll(extra);
    metadata.put("voice.uniqueId", call.uniqueId);
    metadata.put("voice.linkedId", call.linkedId);
    IntakeResult result;
    try {
      result = intake(call, metadata, call.customerNumber != null ? SenderAddress.handle(EntrySteps.CUSTOMER_NUMBER, call.customerNumber)
          : call.callerNumber == null ? null : SenderAddress.phone(call.callerNumber));
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
    call.state = waiting; // before the call is findable: an offer may follow the intake at once
    if (!adapter.queued(call)) {
      call.state = Call.State.IVR;
      // Another live session of this node already waits with this interaction (Asterisk sent the same call twice).
      log.atWarn().addKeyValue("interactionId", result.interactionId()).addKeyValue("channel", call.channel)
          .addKeyValue("linkedId", call.linkedId).log("duplicate FastAGI request: the call already waits in another session; hanging up this one");
      call.interaction = null;
      channel.hangup();
      return false;
    }
    if (!adapter.takeover().hold(call)) {
      log.atWarn().addKeyValue("interactionId", result.interactionId()).addKeyValue("channel", call.channel)
          .addKeyValue("linkedId", call.linkedId).log("duplicate FastAGI request: another hub node controls this call; hanging up this one");
      adapter.forget(call);
      call.state = Call.State.IVR;
      call.interaction = null;
      channel.hangup();
      return false;
    }
    channel.setVariable(CallTakeover.INTERACTION_VAR, result.interactionId().toString());
    if (call.dnis != null) {
      channel.setVariable(CallTakeover.DNIS_VAR, call.dnis);
    }
    adapter.takeover().advertise(channel);
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

  /**
   * Music, announcements, the callback offer, and the bridge once an agent answers. Returns when the call is over for
   * this session: hung up, or turned into a callback.
   */
  void waitForAgent(Ivr ivr, Call call, AgiChannel channel) throws AgiException {
    Ivr.Waiting waiting = ivr.waiting();
    Ivr.Callback callback = ivr.callbackFor(call.entry);
    if (callback != null && call.callbackNumber == null) {
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("callerId", call.callerNumber)
          .log("no callback offered: the caller ID is no number to call back");
      callback = null;
    }
    String escape = callback == null ? "" : String.valueOf(callback.key());
    channel.playMusicOnHold(waiting.musicClass());
    if (callback != null && offerCallback(callback, call, channel, waiting, escape) && requestCallback(callback, call, channel)) {
      return;
    }
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
      char key = channel.waitForDigit(poll);
      if (callback != null && key == callback.key() && requestCallback(callback, call, channel)) {
        return;
      }
      if (System.currentTimeMillis() >= nextAnnouncement) {
        if (call.state == Call.State.WAITING) {
          announce(waiting, call, channel);
          if (callback != null && offerCallback(callback, call, channel, waiting, escape) && requestCallback(callback, call, channel)) {
            return;
          }
        }
        nextAnnouncement = System.currentTimeMillis() + every;
      }
    }
  }

  /**
   * Plays the callback offer when it applies (the call waits, in one of the offer's queues); true when the caller
   * pressed the key during it.
   */
  private boolean offerCallback(Ivr.Callback callback, Call call, AgiChannel channel, Ivr.Waiting waiting, String escape)
      throws AgiException {
    if (call.state != Call.State.WAITING || !call.signals.isEmpty() || !inOfferedQueue(callback, call)) {
      return false;
    }
    channel.stopMusicOnHold();
    char key = play(channel, callback.prompts(), escape);
    if (key == callback.key()) {
      return true;
    }
    channel.playMusicOnHold(waiting.musicClass());
    return false;
  }

  private boolean inOfferedQueue(Ivr.Callback callback, Call call) {
    if (callback.queues().isEmpty()) {
      return true;
    }
    try {
      QueuePosition p = await(adapter.context().conversations().position(call.interaction));
      return p != null && callback.queues().contains(p.queue());
    } catch (Exception e) {
      log.atDebug().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString()).log("no queue for the callback offer");
      return false;
    }
  }

  /**
   * The caller pressed the callback key while waiting: the interaction keeps its place in the queue and becomes a
   * callback (attributes {@code voice.callback=requested}, {@code voice.callbackNumber}, a transition "callback
   * requested"); the caller hears the confirmation and is hung up. False (the caller keeps waiting) while an agent's
   * phone rings or a bridge is on its way, for a queue the offer does not cover, or when the hub could not record it.
   */
  private boolean requestCallback(Ivr.Callback callback, Call call, AgiChannel channel) throws AgiException {
    if (!inOfferedQueue(callback, call)) { // asks the hub: not under the call's lock
      log.atInfo().addKeyValue("interactionId", call.interaction).log("callback key ignored: no callback offer in this queue");
      return false;
    }
    synchronized (call) {
      if (call.state != Call.State.WAITING || !call.signals.isEmpty()) {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state)
            .log("callback key ignored: an agent is being connected");
        return false;
      }
      call.state = Call.State.CALLBACK;
    }
    boolean recorded;
    try {
      recorded = await(adapter.context().interactions().updateAttributes(call.interaction, callbackAttributes(call),
          "callback requested to " + call.callbackNumber));
    } catch (Exception e) {
      log.atError().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("the hub could not record the callback request; the caller keeps waiting");
      recorded = false;
    }
    if (!recorded) {
      synchronized (call) {
        if (call.state == Call.State.CALLBACK) {
          call.state = Call.State.WAITING;
        }
      }
      channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
      return false;
    }
    long waited = Duration.between(call.queuedAt, Instant.now()).toSeconds();
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("number", call.callbackNumber)
        .addKeyValue("waitedSeconds", waited).log("callback requested; the caller is hung up and keeps their place");
    channel.stopMusicOnHold();
    play(channel, callback.confirm(), "");
    channel.hangup();
    return true;
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
    // Kept on the caller's channel so that another hub node can take the call over (CallTakeover).
    channel.setVariable(CallTakeover.AGENT_VAR, b.agent().toString());
    channel.setVariable(CallTakeover.AGENT_CHANNEL_VAR, b.agentChannel());
    adapter.controls().bridged(call);
    adapter.controls().state(call, Call.State.TALKING);
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", b.agent())
        .addKeyValue("agentChannel", b.agentChannel()).log("bridging caller and agent");
    return talk(call, channel, false);
  }

  /**
   * Caller and agent talk (bridged) until one hangs up; {@code onHoldFirst}: the agent's leg waits in the hold context
   * and the caller hears music until resumed. True when the caller should wait again (transferred).
   */
  boolean talk(Call call, AgiChannel channel, boolean onHoldFirst) throws AgiException {
    long asked = System.nanoTime();
    boolean held = onHoldFirst;
    while (true) {
      if (!held) {
        // Bridge(agent leg,x): the agent's leg is pulled out of its FastAGI session (or the hold context) into a bridge
        // with the caller, and hung up when the bridge ends. This session returns when either side leaves.
        channel.exec("Bridge", call.agentChannel + ",x");
        if (!call.holding || call.transferring) {
          break;
        }
      }
      held = false;
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
    afterCall(call, channel);
    return false;
  }

  /** The agent hung up: the hub hears the call ended, the caller (still here) may rate it, then is hung up. */
  void afterCall(Call call, AgiChannel channel) throws AgiException {
    ended(call, "call ended");
    // The agent hung up: the caller's leg is still here (Bridge returned to this session) for the survey.
    call.surveying = true;
    try {
      adapter.survey().run(call.interaction, channel);
    } finally {
      call.surveying = false;
    }
    channel.hangup();
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
        channel.setVariable(CallTakeover.HOLD_VAR, "");
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

  void callerHungUp(Call call) {
    if (adapter.stopping()) {
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("channel", call.channel)
          .log("this hub node is stopping; the call is handed over to another node");
      return;
    }
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
      case CALLBACK, CALLBACK_RINGING, CALLBACK_DIALLING, CALLBACK_TALKING ->
          log.atInfo().addKeyValue("interactionId", call.interaction).log("the caller's channel ended; the callback keeps its place");
      case ENDED -> { }
    }
  }

  /** Tells the hub the caller is gone (a waiting call is abandoned; a call being worked stays with its agent). */
  void ended(Call call, String reason) {
    if (call.interaction == null || adapter.stopping()) {
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
    if (quiet(() -> channel.getVariable(CallTakeover.CALLBACK_VAR)) != null) {
      // A callback being dialled from this leg whose hub node went away: the dialplan handed the leg to this node.
      adapter.takeover().resumeCallback(request, channel, interaction, agent);
      return;
    }
    Call call = adapter.call(interaction).orElse(null);
    if (call == null || (call.state != Call.State.RINGING && call.state != Call.State.CALLBACK_RINGING) || !agent.equals(call.ringing)) {
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
    if (call.state == Call.State.CALLBACK_RINGING) {
      dialler.dial(call, agent, request.getChannel(), request.getUniqueId(), channel);
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
    boolean callback = call.state == Call.State.CALLBACK;
    if (call.state != Call.State.WAITING && !callback) {
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
    if (callback && !callbackLease(call)) {
      return;
    }
    String leg = "sb-" + UUID.randomUUID();
    synchronized (call) {
      if (call.state != (callback ? Call.State.CALLBACK : Call.State.WAITING)) {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state).log("the call changed meanwhile; not ringing");
        return;
      }
      call.ringing = agent;
      call.ringingLeg = leg;
      call.state = callback ? Call.State.CALLBACK_RINGING : Call.State.RINGING; // at once: a callback key now is ignored
    }
    adapter.controls().state(call, call.state); // tells the hub (the console shows the phone ringing)
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("SB_CALL", call.interaction.toString());
    vars.put("SB_AGENT", agent.toString());
    if (adapter.settings().agiAddress() != null) {
      vars.put(CallTakeover.HUB_VAR, adapter.settings().agiAddress()); // the answered leg reports to this node
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).addKeyValue("endpoint", endpoint)
        .addKeyValue("callback", callback).log("ringing the agent's phone");
    // A callback shows on the agent's phone as "Callback <number>".
    String callerId = callback ? "\"Callback " + call.callbackNumber + "\" <" + call.callbackNumber + ">" : call.callerNumber;
    boolean sent = adapter.ami() != null && adapter.ami().originate(endpoint, adapter.settings().agentContext(), vars,
        adapter.settings().ringTimeout(), leg, callerId);
    synchronized (call) {
      if (!sent && (call.state == Call.State.RINGING || call.state == Call.State.CALLBACK_RINGING)) {
        call.state = callback ? Call.State.CALLBACK : Call.State.WAITING;
        call.ringing = null;
        call.ringingLeg = null;
        if (callback) {
          releaseCallbackLease(call);
        }
      }
    }
  }

  /** The offer ended without acceptance: stop ringing; the caller keeps waiting. */
  void stopRinging(Call call, String reason) {
    String leg;
    synchronized (call) {
      if (call.state != Call.State.RINGING && call.state != Call.State.CALLBACK_RINGING) {
        return;
      }
      leg = call.ringingLeg;
      if (call.state == Call.State.CALLBACK_RINGING) {
        releaseCallbackLease(call);
      }
      call.state = call.state == Call.State.RINGING ? Call.State.WAITING : Call.State.CALLBACK;
      call.ringing = null;
      call.ringingLeg = null;
    }
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

  /**
   * The hub ended the interaction (or staff hung up): hang up the caller; for a callback, whatever leg it has (the
   * ringing agent's phone, or the agent's leg with the customer being dialled or talked to), or drop it when it has
   * none yet.
   */
  void hangUp(Call call, String reason) {
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("reason", reason).addKeyValue("state", call.state)
        .log("hanging up the call");
    if (call.state.callback()) {
      String leg = call.state == Call.State.CALLBACK_RINGING ? call.ringingLeg : call.agentChannel;
      if (call.state == Call.State.CALLBACK) {
        call.state = Call.State.ENDED;
        adapter.forget(call);
      }
      if (leg != null && adapter.ami() != null) {
        adapter.ami().hangup(leg);
      }
      return;
    }
    if (call.surveying) {
      log.atInfo().addKeyValue("interactionId", call.interaction).log("the caller is rating the call; the survey step hangs up");
      return;
    }
    if (adapter.ami() != null) {
      adapter.ami().hangup(call.channel);
    }
  }

  /**
   * Takes the callback's lease for this node (only one node dials a callback that several hold after reconciliation);
   * false when another node has it or the lease store did not answer.
   */
  private boolean callbackLease(Call call) {
    try {
      if (Boolean.TRUE.equals(await(adapter.context().leases().acquire(AsteriskAdapter.CALLBACK_LEASE + call.interaction,
          adapter.node(), adapter.settings().callLease())))) {
        return true;
      }
      log.atInfo().addKeyValue("interactionId", call.interaction).log("another node dials this callback");
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not take the callback's lease; not dialling now");
    }
    return false;
  }

  void releaseCallbackLease(Call call) {
    adapter.context().leases().release(AsteriskAdapter.CALLBACK_LEASE + call.interaction, adapter.node());
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

  interface AgiCall {
    String get() throws AgiException;
  }

  static String quiet(AgiCall c) throws AgiHangupException {
    try {
      String v = c.get();
      return blank(v) ? null : v;
    } catch (AgiHangupException e) {
      throw e;
    } catch (AgiException | RuntimeException e) {
      return null;
    }
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** A value for a log line: control characters shown as '?', at most 80 characters. */
  static String printable(String s) {
    if (s == null) {
      return null;
    }
    String t = s.length() > 80 ? s.substring(0, 80) + "...(" + s.length() + " chars)" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
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

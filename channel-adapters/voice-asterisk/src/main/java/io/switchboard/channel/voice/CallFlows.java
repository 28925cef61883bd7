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
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * What happens on a call, step by step, on the FastAGI session's virtual thread: the caller's flow (IVR, intake, then
 * {@link CallerWaiting} for waiting and the bridge) and the agent leg's flow (answered → accept → bridged by the
 * caller's session); {@link CallEvents} carries out the hub's events. Also the small helpers the voice classes share.
 *
 * <p>A little over 400 lines: the caller's steps from the AGI request to the queue read best in one place, and the
 * shared helpers (hub futures, AGI reads, log-safe values) are used by every voice class.
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
  /** The caller's wait, bridge and hold. */
  final CallerWaiting waiting;
  /** What the hub's offers, transfers and hang-ups do to a call. */
  final CallEvents events;

  CallFlows(AsteriskAdapter adapter) {
    this.adapter = adapter;
    this.steps = new EntrySteps(adapter);
    this.dialler = new CallbackDialler(adapter, this);
    this.waiting = new CallerWaiting(adapter, this);
    this.events = new CallEvents(adapter);
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
      waiting.waitForAgent(ivr, call, channel);
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

  static Map<String, String> callbackAttributes(Call call) {
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
      dialler.resume(request, channel, interaction, agent);
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

  static boolean blank(String s) {
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

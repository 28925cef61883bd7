package io.switchboard.channel.voice;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.MixMonitorAction;
import org.asteriskjava.manager.action.RedirectAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.asteriskjava.manager.response.ManagerError;
import org.asteriskjava.manager.response.ManagerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter's AMI connection (Asterisk-Java {@link ManagerConnection}): logs in in the background, again and again
 * with growing pauses (1 s up to 30 s) until Asterisk answers; once connected, Asterisk-Java reconnects by itself.
 * Actions are sent from virtual threads (they block until Asterisk answers).
 */
final class AmiClient {
  private static final Logger log = LoggerFactory.getLogger(AmiClient.class);

  private final ManagerConnection connection;
  private final AsteriskAdapter adapter;
  private final VoiceSettings settings;
  private volatile boolean stopped;
  private Thread connector;

  AmiClient(VoiceSettings settings, String secret, AsteriskAdapter adapter) {
    this.settings = settings;
    this.adapter = adapter;
    this.connection = new ManagerConnectionFactory(settings.amiHost(), settings.amiPort(), settings.amiUser(),
        secret == null ? "" : secret).createManagerConnection();
    connection.addEventListener(this::onEvent);
  }

  void start() {
    connector = Thread.ofVirtual().name("voice-ami-login").start(() -> {
      long pause = 1_000;
      while (!stopped) {
        try {
          connection.login();
          log.atInfo().addKeyValue("ami", settings.amiHost() + ":" + settings.amiPort()).log("AMI connected");
          adapter.reconcile();
          return;
        } catch (Exception e) {
          log.atWarn().addKeyValue("ami", settings.amiHost() + ":" + settings.amiPort()).addKeyValue("retryInMs", pause)
              .addKeyValue("error", e.toString()).log("AMI login failed; trying again");
          try {
            TimeUnit.MILLISECONDS.sleep(pause);
          } catch (InterruptedException ie) {
            return;
          }
          pause = Math.min(pause * 2, 30_000);
        }
      }
    });
  }

  void stop() {
    stopped = true;
    if (connector != null) {
      connector.interrupt();
    }
    if (connection.getState() == ManagerConnectionState.CONNECTED) {
      try {
        connection.logoff();
      } catch (RuntimeException e) {
        log.atDebug().setCause(e).log("AMI logoff failed");
      }
    }
  }

  boolean connected() {
    return connection.getState() == ManagerConnectionState.CONNECTED;
  }

  ManagerConnection connection() {
    return connection;
  }

  /**
   * Rings {@code endpoint}; once it answers, the leg runs {@code context,s,1} with the given variables. The leg's
   * Asterisk uniqueid is {@code legId}. Returns whether Asterisk queued the call.
   */
  boolean originate(String endpoint, String context, Map<String, String> variables, Duration timeout, String legId,
      String callerId) {
    OriginateAction a = new OriginateAction();
    a.setChannel(endpoint);
    a.setContext(context);
    a.setExten("s");
    a.setPriority(1);
    a.setTimeout(timeout.toMillis());
    a.setAsync(true);
    a.setChannelId(legId);
    if (endpoint.regionMatches(true, 0, "Local/", 0, 6)) {
      a.setOtherChannelId(legId + "-2");
    }
    if (callerId != null) {
      a.setCallerId(callerId);
    }
    a.setVariables(variables);
    return send(a, "originate") != null;
  }

  /** Hangs up a channel by name or uniqueid; false when Asterisk had no such channel or is not reachable. */
  boolean hangup(String channel) {
    HangupAction a = new HangupAction(channel);
    return send(a, "hangup") != null;
  }

  /**
   * Moves a channel (by name) out of whatever it runs, a bridge included, to {@code context,s,1} (AMI
   * {@code Redirect}); false when Asterisk refused or is not reachable.
   */
  boolean redirect(String channel, String context) {
    RedirectAction a = new RedirectAction(channel, context, "s", 1);
    return send(a, "redirect") != null;
  }

  /**
   * Starts recording both directions of a channel into {@code file} (AMI {@code MixMonitor}; a relative name lands in
   * Asterisk's {@code monitor} spool folder); the recording runs until the channel hangs up.
   */
  boolean mixMonitor(String channel, String file) {
    MixMonitorAction a = new MixMonitorAction(channel, file);
    return send(a, "mixmonitor") != null;
  }

  /**
   * Rings {@code endpoint} and, once it answers, runs the dialplan application {@code app(data)} on it (a supervisor's
   * phone running {@code ChanSpy}); the leg's uniqueid is {@code legId}.
   */
  boolean originateApplication(String endpoint, String app, String data, Duration timeout, String legId, String callerId) {
    OriginateAction a = new OriginateAction();
    a.setChannel(endpoint);
    a.setApplication(app);
    a.setData(data);
    a.setTimeout(timeout.toMillis());
    a.setAsync(true);
    a.setChannelId(legId);
    if (endpoint.regionMatches(true, 0, "Local/", 0, 6)) {
      a.setOtherChannelId(legId + "-2");
    }
    if (callerId != null) {
      a.setCallerId(callerId);
    }
    return send(a, "originate " + app) != null;
  }

  private ManagerResponse send(org.asteriskjava.manager.action.ManagerAction action, String what) {
    if (!connected()) {
      log.atWarn().addKeyValue("action", what).log("AMI not connected; action not sent");
      return null;
    }
    try {
      ManagerResponse r = connection.sendAction(action, 5_000);
      if (r instanceof ManagerError) {
        log.atWarn().addKeyValue("action", what).addKeyValue("message", r.getMessage()).log("AMI action refused");
        return null;
      }
      return r;
    } catch (Exception e) {
      log.atWarn().addKeyValue("action", what).addKeyValue("error", e.toString()).log("AMI action failed");
      return null;
    }
  }

  /**
   * Every channel Asterisk has now ({@code CoreShowChannels}: one {@code CoreShowChannel} event per channel, ended by
   * {@code CoreShowChannelsComplete}); needs the AMI user's {@code reporting} (or {@code system}) permission.
   *
   * @return uniqueids and linkedids of the live channels, or null when Asterisk could not be asked
   */
  java.util.Set<String> liveChannelIds() {
    java.util.List<LiveChannel> channels = channels();
    if (channels == null) {
      return null;
    }
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (LiveChannel c : channels) {
      if (c.uniqueId() != null) {
        ids.add(c.uniqueId());
      }
      if (c.linkedId() != null) {
        ids.add(c.linkedId());
      }
    }
    return ids;
  }

  /**
   * One channel as {@code CoreShowChannels} lists it; {@code state} is Asterisk's channel state in words ({@code Up},
   * {@code Ringing}, {@code Down}...), null when not given.
   */
  record LiveChannel(String uniqueId, String linkedId, String name, String application, String bridgeId, String callerIdNumber,
      String state) {
    /** Whether the channel was answered (state {@code Up}). */
    boolean answered() {
      return "Up".equalsIgnoreCase(state);
    }
  }

  /**
   * Every channel Asterisk has now, with what it runs ({@code CoreShowChannels}); null when Asterisk could not be asked.
   */
  java.util.List<LiveChannel> channels() {
    if (!connected()) {
      return null;
    }
    try {
      var events = connection.sendEventGeneratingAction(new org.asteriskjava.manager.action.CoreShowChannelsAction(), 10_000);
      if (events.getResponse() instanceof ManagerError e) {
        log.atWarn().addKeyValue("message", e.getMessage()).log("CoreShowChannels refused (does the AMI user have the reporting permission?)");
        return null;
      }
      java.util.List<LiveChannel> list = new java.util.ArrayList<>();
      for (var e : events.getEvents()) {
        if (e instanceof org.asteriskjava.manager.event.CoreShowChannelEvent c) {
          list.add(new LiveChannel(c.getUniqueid(), c.getLinkedid(), c.getChannel(), c.getApplication(), c.getBridgeid(),
              c.getCallerIdNum(), c.getChannelStateDesc()));
        }
      }
      return list;
    } catch (Exception e) {
      log.atWarn().addKeyValue("error", e.toString()).log("CoreShowChannels failed");
      return null;
    }
  }

  /** A channel variable (AMI {@code Getvar}); null when unset, the channel is gone or Asterisk is not reachable. */
  String getVariable(String channel, String name) {
    ManagerResponse r = send(new org.asteriskjava.manager.action.GetVarAction(channel, name), "getvar");
    if (r instanceof org.asteriskjava.manager.response.GetVarResponse g) {
      String v = g.getValue();
      return v == null || v.isBlank() ? null : v;
    }
    return null;
  }

  /** Sets a channel variable (AMI {@code Setvar}); false when Asterisk refused or is not reachable. */
  boolean setVariable(String channel, String name, String value) {
    return send(new org.asteriskjava.manager.action.SetVarAction(channel, name, value), "setvar") != null;
  }

  private void onEvent(ManagerEvent event) {
    if (event instanceof org.asteriskjava.manager.event.ConnectEvent && !stopped) {
      // Asterisk-Java reconnected by itself (Asterisk restarted or the network came back): compare calls again.
      log.atInfo().log("AMI reconnected; reconciling calls with Asterisk");
      Thread.ofVirtual().start(adapter::reconcile);
    }
    if (event instanceof org.asteriskjava.manager.event.HangupEvent h && h.getChannel() != null) {
      adapter.channelHungUp(h.getChannel());
    }
    if (event instanceof org.asteriskjava.manager.event.DialEndEvent d && "ANSWER".equals(d.getDialStatus())) {
      adapter.dialAnswered(d.getUniqueId(), d.getDestChannel(), d.getDestUniqueId()); // a callback's customer answered the agent's leg's Dial
    }
    if (event instanceof OriginateResponseEvent o && !o.isSuccess()) {
      log.atInfo().addKeyValue("channel", o.getChannel()).addKeyValue("reason", o.getReason())
          .log("agent's phone did not answer");
    }
  }
}

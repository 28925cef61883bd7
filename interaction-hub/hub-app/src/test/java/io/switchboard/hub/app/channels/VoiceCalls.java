package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.RealAsterisk;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.asteriskjava.manager.action.GetVarAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.response.GetVarResponse;

/**
 * Callers for whole-hub voice tests on a real Asterisk: places calls with Local channels into the sample dialplan
 * ({@code switchboard-in}), presses keys on the caller's phone (AMI {@code PlayDTMF} on the {@code ;1} half; the hub's
 * FastAGI session runs on the {@code ;2} half, {@code <phone>-2}), and answers questions about the AMI events seen.
 * Every wait polls with a 30 s deadline.
 */
final class VoiceCalls {
  final RealAsterisk asterisk;
  final List<ManagerEvent> events = new CopyOnWriteArrayList<>();
  private final String prefix;
  private int calls;

  VoiceCalls(RealAsterisk asterisk, String prefix) {
    this.asterisk = asterisk;
    this.prefix = prefix;
    asterisk.ami().addEventListener(events::add);
  }

  /** Places a call from {@code callerId} to {@code dnis}; returns the caller's phone (uniqueid of the ;1 half). */
  String dial(String dnis, String callerId) throws Exception {
    String phone = prefix + "-" + (++calls) + "-" + System.nanoTime();
    OriginateAction o = new OriginateAction();
    o.setChannel("Local/" + dnis + "@switchboard-in/n");
    o.setApplication("Wait");
    o.setData("120");
    o.setCallerId("Caller <" + callerId + ">");
    o.setAsync(true);
    o.setChannelId(phone);
    o.setOtherChannelId(phone + "-2");
    o.setTimeout(30_000L);
    asterisk.ami().sendAction(o, 10_000);
    return phone;
  }

  /** Presses {@code key} once the IVR answered the caller's phone. */
  void press(String phone, String key) throws Exception {
    await("the caller's phone is answered by the IVR", () -> events.stream().anyMatch(e -> e instanceof NewStateEvent s
        && phone.equals(s.getUniqueId()) && "Up".equals(s.getChannelStateDesc())));
    var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, key), 5_000);
    assertThat(r.getResponse()).as(r.getMessage()).isEqualTo("Success");
  }

  /** A channel variable now (null when unset or the channel is gone). */
  String variable(String channel, String name) {
    try {
      var r = asterisk.ami().sendAction(new GetVarAction(channel, name), 5_000);
      return r instanceof GetVarResponse g ? g.getValue() : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** How many bridges the channel (by uniqueid) entered. */
  long bridges(String uniqueId) {
    return events.stream().filter(e -> e instanceof BridgeEnterEvent b && uniqueId.equals(b.getUniqueId())).count();
  }

  /** Whether the caller's channel (by uniqueid) entered a bridge that another channel entered too. */
  boolean bridged(String callerUniqueId) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && callerUniqueId.equals(b.getUniqueId())) {
        return events.stream().anyMatch(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && !callerUniqueId.equals(ob.getUniqueId()));
      }
    }
    return false;
  }

  /** The channel that shares a bridge with the caller's (by uniqueid): the agent's leg; null while there is none. */
  String agentLeg(String callerUniqueId) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && callerUniqueId.equals(b.getUniqueId())) {
        return events.stream().filter(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && !callerUniqueId.equals(ob.getUniqueId())).map(o -> ((BridgeEnterEvent) o).getChannel()).findFirst().orElse(null);
      }
    }
    return null;
  }

  boolean hungUp(String uniqueId) {
    return events.stream().anyMatch(e -> e instanceof HangupEvent h && uniqueId.equals(h.getUniqueId()));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}

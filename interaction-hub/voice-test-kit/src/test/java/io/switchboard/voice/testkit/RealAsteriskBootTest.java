package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.testsupport.RealAsterisk;
import org.asteriskjava.manager.action.CommandAction;
import org.asteriskjava.manager.response.CommandResponse;
import org.asteriskjava.manager.response.ManagerResponse;
import org.junit.jupiter.api.Test;

/**
 * {@link RealAsterisk#start} returns only once Asterisk is fully booted: a call placed earlier is refused ("PBX requires
 * Asterisk to be fully booted"), which failed a test on a busy CI machine. The wait is a CLI command sent over AMI, so
 * the test's AMI user must be allowed to run one: without that privilege Asterisk answered "Permission denied" at once
 * and the wait waited for nothing.
 */
class RealAsteriskBootTest {

  @Test
  void startReturnsOnceAsteriskSaysItIsFullyBooted() throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed (set SWITCHBOARD_ASTERISK_HOME)");
    try (RealAsterisk asterisk = RealAsterisk.start("[quiet]\nexten => s,1,Hangup()\n")) {
      ManagerResponse r = asterisk.ami().sendAction(new CommandAction("core waitfullybooted"), 10_000);
      assertThat(r).as("%s %s", r.getResponse(), r.getMessage()).isInstanceOf(CommandResponse.class);
      assertThat(String.join("\n", ((CommandResponse) r).getResult())).contains("fully booted");
    }
  }
}

package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.testsupport.RealAsterisk;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.asteriskjava.manager.action.OriginateAction;
import org.junit.jupiter.api.Test;

/**
 * A call that goes wrong inside Asterisk leaves its reason where a test's output shows it: {@link RealAsterisk#problems}
 * reads Asterisk's own warnings, which {@link RealAsterisk#close} prints before the scratch folder goes (a test caller
 * whose Originate failed once waited 30 s with nothing to say why).
 */
class RealAsteriskProblemsTest {

  @Test
  void aDialplanStepAsteriskCannotRunIsReportedAmongItsProblems() throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed (set SWITCHBOARD_ASTERISK_HOME)");
    try (RealAsterisk asterisk = RealAsterisk.start("""
        [broken]
        exten => s,1,NoSuchApplicationHere(x)
        """)) {
      assertThat(asterisk.problems()).as("a fresh Asterisk has nothing to report").noneMatch(l -> l.contains("NoSuchApplicationHere"));
      OriginateAction o = new OriginateAction();
      o.setChannel("Local/s@broken/n");
      o.setApplication("Wait");
      o.setData("1");
      o.setAsync(true);
      o.setTimeout(10_000L);
      asterisk.ami().sendAction(o, 10_000);
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      List<String> problems = asterisk.problems();
      while (problems.stream().noneMatch(l -> l.contains("NoSuchApplicationHere")) && Instant.now().isBefore(deadline)) {
        Thread.sleep(100); // polling a log file: Asterisk sends no event for what it writes there
        problems = asterisk.problems();
      }
      assertThat(problems).anyMatch(l -> l.contains("NoSuchApplicationHere"));
    }
  }
}

package io.switchboard.hub.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the open-files limit is checked at start with a warning when it is too low")
class OpenFilesTest {
  @Test
  void aLowLimitGetsAWarningThatSaysHowToRaiseIt() {
    assertThat(OpenFiles.warning(1024)).hasValueSatisfying(w -> assertThat(w)
        .contains("1,024").contains("ulimit -n 65536").contains("LimitNOFILE=65536").contains("docs/operations.md"));
    assertThat(OpenFiles.warning(65_535)).isPresent();
    assertThat(OpenFiles.warning(1)).hasValueSatisfying(w -> assertThat(w).contains("about 0 consoles"));
  }

  @Test
  void enoughOrUnknownGetsNone() {
    assertThat(OpenFiles.warning(OpenFiles.RECOMMENDED)).isEmpty();
    assertThat(OpenFiles.warning(1_048_576)).isEmpty();
    assertThat(OpenFiles.warning(Long.MAX_VALUE)).isEmpty();
    assertThat(OpenFiles.warning(-1)).as("not a Unix: the JVM cannot tell").isEmpty();
    assertThat(OpenFiles.warning(0)).isEmpty();
  }

  @Test
  void thisProcesssLimitIsRead() {
    // On Linux (CI, this machine) the JVM reads it from the kernel.
    if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      assertThat(OpenFiles.limit()).isPositive();
    }
  }
}

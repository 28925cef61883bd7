package io.switchboard.voice.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.testsupport.RealAsterisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Asterisk of the test class's own, as a JUnit extension ({@code @RegisterExtension static final}): before the
 * class's tests it starts the installed Asterisk ({@link RealAsterisk}) with the sample dialplan pointed at a free
 * FastAGI port (and {@link #nodes more hub nodes}' ports), the test's {@link TestPhones}, and writes the test's IVR file; after them it stops Asterisk (no process is left) and
 * deletes the file. Where no Asterisk is installed ({@code SWITCHBOARD_ASTERISK_HOME}) the class is skipped.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones").answers("1001"))
 *     .ivr("""
 *         entryPoints: ...
 *         """);
 * }</pre>
 */
public final class PrivateAsterisk implements BeforeAllCallback, AfterAllCallback {
  private static final java.util.regex.Pattern FILE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private final TestPhones phones;
  private String ivr = "";
  private String callerPrefix = "caller";
  private int nodes = 1;
  private final List<Integer> agiPorts = new ArrayList<>();
  private RealAsterisk real;
  private AsteriskCalls calls;
  private Path ivrFile;

  private PrivateAsterisk(TestPhones phones) {
    this.phones = phones;
  }

  /** An Asterisk with the sample dialplan and these phones. */
  public static PrivateAsterisk with(TestPhones phones) {
    return new PrivateAsterisk(phones);
  }

  /** The IVR file's text ({@code config/ivr.yaml} format) the hub or adapter under test reads, see {@link #ivrFile}. */
  public PrivateAsterisk ivr(String yaml) {
    this.ivr = yaml;
    return this;
  }

  /** The start of caller phones' uniqueids ({@link AsteriskCalls}); "caller" unless set. */
  public PrivateAsterisk callerPrefix(String prefix) {
    this.callerPrefix = prefix;
    return this;
  }

  /** How many hub nodes the dialplan knows ({@code HUBS}), each with a FastAGI port of its own; 1 unless set. */
  public PrivateAsterisk nodes(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("at least one hub node: " + count);
    }
    this.nodes = count;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed (set SWITCHBOARD_ASTERISK_HOME)");
    agiPorts.clear();
    for (int i = 0; i < nodes; i++) {
      agiPorts.add(RealAsterisk.freePort());
    }
    int[] others = agiPorts.stream().skip(1).mapToInt(Integer::intValue).toArray();
    ivrFile = Files.createTempFile("ivr-", ".yaml");
    Files.writeString(ivrFile, ivr);
    real = RealAsterisk.start(RealAsterisk.sampleDialplan(agiPorts.getFirst(), others) + phones);
    calls = new AsteriskCalls(real, callerPrefix);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (real != null) {
        real.close();
      }
    } finally {
      real = null;
      if (ivrFile != null) {
        Files.deleteIfExists(ivrFile);
      }
    }
  }

  /** The running Asterisk (its AMI port, scratch folder, crash-and-restart). */
  public RealAsterisk real() {
    return real;
  }

  /** Places and steers callers; records every AMI event. */
  public AsteriskCalls calls() {
    return calls;
  }

  /** The FastAGI port the dialplan sends calls to first (the first hub node's). */
  public int agiPort() {
    return agiPorts.getFirst();
  }

  /** The FastAGI port of hub node {@code index} (0 is {@link #agiPort()}). */
  public int agiPort(int index) {
    return agiPorts.get(index);
  }

  /** Asterisk's AMI port (user {@link RealAsterisk#AMI_USER}, secret {@link RealAsterisk#AMI_SECRET}). */
  public int amiPort() {
    return real.amiPort;
  }

  /**
   * Where Asterisk writes a recording that {@code MixMonitor} was given by its bare file name (as the adapter names a
   * recorded call's file, {@code switchboard-<interaction>.wav}): the private instance's {@code monitor} spool folder.
   * The file need not exist (a test asserts that a call was not recorded).
   *
   * @throws IllegalArgumentException for a name that is no bare file name (a path, {@code ..}, blanks, control
   *     characters, over 255 characters)
   * @throws IllegalStateException while no Asterisk runs (before or after the test class)
   */
  public Path recording(String fileName) {
    if (fileName == null || !FILE_NAME.matcher(fileName).matches() || fileName.chars().allMatch(c -> c == '.')) {
      throw new IllegalArgumentException("not a bare file name: " + (fileName == null ? null
          : fileName.replaceAll("\\p{Cntrl}", "?")));
    }
    return monitorFolder().resolve(fileName);
  }

  /** The private instance's {@code monitor} spool folder, where recordings given by a bare name are written. */
  public Path monitorFolder() {
    if (real == null) {
      throw new IllegalStateException("no private Asterisk runs (it runs while the test class's tests do)");
    }
    return real.run.resolve("var/spool/monitor");
  }

  /** The IVR file written from {@link #ivr(String)}. */
  public Path ivrFile() {
    return ivrFile;
  }
}

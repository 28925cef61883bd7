package io.switchboard.routing.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.routing.FixturesAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhatIfCommandTest {
  static final String RULES = FixturesAccess.path("config/routing.yaml");
  static final String STRICT = FixturesAccess.path("config/demo/simulation/routing-strict.yaml");
  static final String ARRIVALS = FixturesAccess.path("config/demo/simulation/arrivals.jsonl");
  static final String ROSTER = FixturesAccess.path("config/demo/simulation/roster.yaml");

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = WhatIfCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String[] args(String... extra) {
    List<String> a = new ArrayList<>(List.of("--rules", RULES, "--arrivals", ARRIVALS, "--roster", ROSTER));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void oneRuleFilePrintsATablePerQueue() {
    Run r = run(args());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("general — General enquiries (target 80% within 20s)")
        .contains("billing — Billing (target 80% within 30s)")
        .contains("tech-support — Technical support (target 70% within 1m)")
        .contains("vip — Priority customers (target 90% within 10s)")
        .contains("all queues")
        .contains("service level", "avg speed of answer", "abandon rate", "occupancy", "offered", "answered", "abandoned");
  }

  @Test
  void twoRuleFilesPrintSideBySideWithTheDifference() {
    Run r = run(args("--rules", STRICT));
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("A = " + RULES).contains("B = " + STRICT).contains("B - A");
    assertThat(r.out().lines().filter(l -> l.contains("abandoned")).toList()).anyMatch(l -> !l.trim().endsWith("+0"));
  }

  @Test
  void theSameSeedGivesTheSameOutputAndAnotherSeedAnother() {
    String a = run(args("--rules", STRICT, "--seed", "42")).out();
    assertThat(run(args("--rules", STRICT, "--seed", "42")).out()).isEqualTo(a);
    assertThat(run(args("--rules", STRICT, "--seed", "43")).out()).isNotEqualTo(a);
  }

  @Test
  void meansAndStartCanBeSet() {
    Run r = run(args("--mean-handle", "90s", "--mean-patience", "PT5M", "--start", "2026-11-29T10:00+01:00[Europe/Berlin]"));
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("means 1m30s and 5m").contains("2026-11-29T10:00+01:00[Europe/Berlin]");
  }

  @Test
  void badRulesExitWith2AndListTheProblems(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "queues: [{id: general}]\nrules:\n  - name: a\n    queue: nowhere\n");
    Run r = run("--rules", bad.toString(), "--arrivals", ARRIVALS, "--roster", ROSTER);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(bad + ":4: rules[0].queue: unknown queue 'nowhere'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMalformedArrivalLineExitsWith2AndNamesTheLine(@TempDir Path dir) throws IOException {
    Path arrivals = dir.resolve("a.jsonl");
    Files.writeString(arrivals, "{\"at\": 1, \"channel\": \"chat\"}\n\n{\"at\": 2, \"channel\": \"chat\"\n");
    Run r = run("--rules", RULES, "--arrivals", arrivals.toString(), "--roster", ROSTER);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(arrivals + ":3: not valid JSON");
  }

  @Test
  void anUnknownChannelExitsWith2(@TempDir Path dir) throws IOException {
    Path arrivals = dir.resolve("a.jsonl");
    Files.writeString(arrivals, "{\"at\": \"PT12S\", \"channel\": \"fax\"}\n");
    Run r = run("--rules", RULES, "--arrivals", arrivals.toString(), "--roster", ROSTER);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(arrivals + ":1: unknown channel 'fax'");
  }

  @Test
  void anUnknownArrivalFieldExitsWith2(@TempDir Path dir) throws IOException {
    Path arrivals = dir.resolve("a.jsonl");
    Files.writeString(arrivals, "{\"at\": 3, \"channel\": \"chat\", \"handleSecs\": 4}\n");
    Run r = run("--rules", RULES, "--arrivals", arrivals.toString(), "--roster", ROSTER);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(":1: unknown field 'handleSecs'");
  }

  @Test
  void aBadRosterExitsWith2(@TempDir Path dir) throws IOException {
    Path roster = dir.resolve("r.yaml");
    Files.writeString(roster, "agents:\n  - id: a\n    skills: {billing: 9}\n");
    Run r = run("--rules", RULES, "--arrivals", ARRIVALS, "--roster", roster.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("agent a.skills.billing: expected a whole number from 1 to 5");
  }

  @Test
  void badArgumentsExitWith2() {
    assertThat(run().code()).isEqualTo(2);
    assertThat(run(args("--seed", "x")).code()).isEqualTo(2);
    assertThat(run(args("--mean-handle", "soon")).code()).isEqualTo(2);
    assertThat(run(args("--rules", RULES, "--rules", RULES)).code()).isEqualTo(2);
    assertThat(run(args("--frobnicate", "1")).err()).contains("unknown option '--frobnicate'");
    assertThat(run(args("--seed")).err()).contains("--seed needs a value");
    assertThat(run("--rules", "/nonexistent.yaml", "--arrivals", ARRIVALS, "--roster", ROSTER).err()).contains("/nonexistent.yaml: no such file");
    assertThat(run("--help").code()).isZero();
  }

  @Test
  void arrivalsAcceptSecondsAndDurations() throws Exception {
    List<Arrival> a =
        SimulationInputs.arrivals(
            "a.jsonl",
            "// comment\n{\"at\":\"PT12S\",\"channel\":\"voice\",\"attributes\":{\"ivr.choice\":1},\"customerTier\":\"gold\",\"language\":\"de\",\"subject\":\"x\",\"handleSeconds\":240,\"patienceSeconds\":90.5}\n{\"at\":1.5,\"channel\":\"email\"}\n");
    assertThat(a).containsExactly(
        new Arrival(java.time.Duration.ofSeconds(12), "voice", java.util.Map.of("ivr.choice", "1"), "gold", "de", "x",
            java.time.Duration.ofSeconds(240), java.time.Duration.ofMillis(90_500)),
        new Arrival(java.time.Duration.ofMillis(1500), "email", null, null, null, null, null, null));
  }
}

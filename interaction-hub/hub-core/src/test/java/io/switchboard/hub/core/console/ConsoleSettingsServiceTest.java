package io.switchboard.hub.core.console;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.console.ConsoleSettingsException.Problem;
import io.switchboard.hub.core.console.ConsoleSettingsService.ReloadResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of console.yaml against a real Vert.x and PostgreSQL (for the audit log). */
class ConsoleSettingsServiceTest {
  static final String V1 = """
      wrapUp:
        dispositions:
          - { code: resolved, label: Resolved }
          - { code: spam, label: Spam }
      cannedResponses:
        - { id: hello, title: Hello, shortcut: /hello, text: "Hello {{customer.firstName}}" }
      """;
  static final String V2 = """
      wrapUp:
        notesRequired: true
        dispositions:
          - { code: resolved, label: Resolved }
      cannedResponses:
        - { id: hello, title: Hello, shortcut: /hello, text: "Good morning {{customer.firstName}}" }
      """;
  static final String BROKEN = """
      wrapUp:
        dispositions:
          - { code: resolved, label: Resolved }
      cannedResponses:
        - { id: a, title: A, shortcut: /a, text: "Hi {{customer.email}}" }
        - { id: b, title: B, shortcut: /a, text: B }
      """;
  static final Principal ROOT = new Principal.System("test-admin");

  static CoreFixture fx;
  @TempDir Path dir;
  Path file;
  final List<JsonObject> changes = new CopyOnWriteArrayList<>();
  io.vertx.core.eventbus.MessageConsumer<JsonObject> consumer;

  @BeforeAll
  static void start() {
    fx = CoreFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @BeforeEach
  void listen() {
    file = dir.resolve("console.yaml");
    consumer = fx.vertx.eventBus().consumer(ConsoleSettingsService.SETTINGS_CHANGED, m -> changes.add(m.body()));
    await(consumer.completion());
  }

  @AfterEach
  void unlisten() {
    await(consumer.unregister());
  }

  ConsoleSettingsService service(String yaml) throws Exception {
    if (yaml != null) {
      Files.writeString(file, yaml);
    }
    return ConsoleSettingsService.load(fx.vertx, fx.stores, file, Clock.systemUTC());
  }

  long audits(String action) {
    return fx.count("SELECT count(*) FROM audit_log WHERE action = $1 AND details->>'file' = $2", action, file.toString());
  }

  static String canned(ConsoleSettingsService s) {
    return s.current().cannedResponses().get(0).text();
  }

  @Test
  void loadShouldReadTheFileAndRememberItsHash() throws Exception {
    ConsoleSettingsService s = service(V1);
    assertThat(canned(s)).isEqualTo("Hello {{customer.firstName}}");
    assertThat(s.loaded().sha256()).isEqualTo(ConsoleSettingsService.sha256(V1.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(s.loaded().by()).isEqualTo("system:startup");
    assertThat(s.lastRejected()).isNull();
  }

  @Test
  void loadShouldThrowEveryProblemOfABadFileSoTheHubDoesNotStart() {
    assertThatThrownBy(() -> service(BROKEN)).isInstanceOf(ConsoleSettingsException.class)
        .hasMessageContaining("console.yaml:5: cannedResponses[0].text: unknown placeholder {{customer.email}}")
        .hasMessageContaining("console.yaml:6: cannedResponses[1].shortcut: shortcut '/a' is used twice");
  }

  @Test
  void reloadShouldPutAGoodFileInForceAuditItAndAnnounceIt() throws Exception {
    ConsoleSettingsService s = service(V1);
    String before = s.loaded().sha256();
    Files.writeString(file, V2);
    ReloadResult r = await(s.reload(ROOT));
    assertThat(r.applied()).isTrue();
    assertThat(r.changed()).isTrue();
    assertThat(r.problems()).isEmpty();
    assertThat(canned(s)).isEqualTo("Good morning {{customer.firstName}}");
    assertThat(s.current().notesRequired()).isTrue();
    assertThat(s.loaded().sha256()).isNotEqualTo(before).isEqualTo(r.current().sha256());
    assertThat(s.loaded().by()).isEqualTo("system:test-admin");
    assertThat(audits(ConsoleSettingsService.AUDIT_APPLIED)).isEqualTo(1);
    awaitChanges(1);
    assertThat(changes.get(0).getString("sha256")).isEqualTo(s.loaded().sha256());
    assertThat(changes.get(0).getInteger("dispositions")).isEqualTo(1);
  }

  @Test
  void reloadOfABadFileShouldKeepTheSettingsInForceAndRememberTheProblemsWithLines() throws Exception {
    ConsoleSettingsService s = service(V1);
    var before = s.loaded();
    Files.writeString(file, BROKEN);
    ReloadResult r = await(s.reload(ROOT));
    assertThat(r.applied()).isFalse();
    assertThat(r.changed()).isFalse();
    assertThat(r.current()).isEqualTo(before);
    assertThat(r.problems()).extracting(Problem::line, Problem::key)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(5, "cannedResponses[0].text"),
            org.assertj.core.groups.Tuple.tuple(6, "cannedResponses[1].shortcut"));
    assertThat(s.loaded()).isEqualTo(before);
    assertThat(canned(s)).isEqualTo("Hello {{customer.firstName}}");
    assertThat(s.lastRejected().problems()).isEqualTo(r.problems());
    assertThat(s.lastRejected().sha256()).isEqualTo(ConsoleSettingsService.sha256(Files.readAllBytes(file)));
    assertThat(s.lastRejected().by()).isEqualTo("system:test-admin");
    assertThat(s.lastRejected().at()).isNotNull();
    assertThat(audits(ConsoleSettingsService.AUDIT_REJECTED)).isEqualTo(1);

    Files.writeString(file, V2);
    assertThat(await(s.reload(ROOT)).applied()).isTrue();
    assertThat(s.lastRejected()).isNull();
    assertThat(canned(s)).startsWith("Good morning");
    awaitChanges(1);
  }

  @Test
  void reloadOfTheFileInForceShouldChangeNothing() throws Exception {
    ConsoleSettingsService s = service(V1);
    var before = s.loaded();
    ReloadResult r = await(s.reload(ROOT));
    assertThat(r.applied()).isTrue();
    assertThat(r.changed()).isFalse();
    assertThat(s.loaded()).isSameAs(before);
    assertThat(audits(ConsoleSettingsService.AUDIT_APPLIED)).isZero();
    assertThat(changes).isEmpty();
  }

  @Test
  void puttingTheFileBackAsItWasShouldClearTheRejection() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.writeString(file, BROKEN);
    await(s.reload(ROOT));
    assertThat(s.lastRejected()).isNotNull();
    Files.writeString(file, V1);
    ReloadResult r = await(s.reload(ROOT));
    assertThat(r.applied()).isTrue();
    assertThat(r.changed()).isFalse();
    assertThat(s.lastRejected()).isNull();
  }

  @Test
  void emptyOversizedAndSyntacticallyBrokenFilesShouldBeRejected() throws Exception {
    ConsoleSettingsService s = service(V1);
    var before = s.loaded();
    Files.writeString(file, "");
    assertThat(await(s.reload(ROOT)).problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("empty"));
    Files.writeString(file, V1 + "#" + "x".repeat(ConsoleSettingsParser.MAX_FILE_BYTES));
    assertThat(await(s.reload(ROOT)).problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("larger than 1 MiB"));
    Files.writeString(file, "wrapUp:\n  dispositions:\n    - { code: resolved, label: Resolved\ncannedResponses: []\n");
    assertThat(await(s.reload(ROOT)).problems()).singleElement().satisfies(p -> {
      assertThat(p.message()).startsWith("not valid YAML");
      assertThat(p.line()).isBetween(3, 4);
    });
    assertThat(s.loaded()).isSameAs(before);
    assertThat(audits(ConsoleSettingsService.AUDIT_REJECTED)).isEqualTo(3);
  }

  @Test
  void aDeletedFileShouldBeRejectedAndTheSettingsStay() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.delete(file);
    ReloadResult r = await(s.reload(ROOT));
    assertThat(r.applied()).isFalse();
    assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("the file is gone"));
    assertThat(canned(s)).startsWith("Hello");
    assertThat(s.lastRejected().sha256()).isNull();
  }

  @Test
  void aHubStartedWithoutTheFileShouldTakeUpOneCreatedLater() throws Exception {
    ConsoleSettingsService s = service(null);
    assertThat(s.current()).isEqualTo(ConsoleSettings.DEFAULTS);
    assertThat(s.loaded().fromFile()).isFalse();
    assertThat(await(s.reload(ROOT)).changed()).isFalse();
    await(s.poll());
    Files.writeString(file, V1);
    await(s.poll());
    assertThat(s.loaded().fromFile()).isTrue();
    assertThat(canned(s)).startsWith("Hello");
  }

  @Test
  void pollShouldApplyAGoodChangeOnceAndAnnounceItOnce() throws Exception {
    ConsoleSettingsService s = service(V1);
    await(s.poll());
    assertThat(changes).isEmpty();
    Files.writeString(file, V2);
    await(s.poll());
    assertThat(canned(s)).startsWith("Good morning");
    assertThat(s.loaded().by()).isEqualTo("system:file-watch");
    await(s.poll());
    await(s.poll());
    awaitChanges(1);
    assertThat(audits(ConsoleSettingsService.AUDIT_APPLIED)).isEqualTo(1);
  }

  @Test
  void pollShouldRejectABadFileOnlyWhenTheNextPollStillFindsItAndThenOnlyOnce() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.writeString(file, BROKEN);
    await(s.poll());
    assertThat(s.lastRejected()).as("a file caught half-written is not reported at once").isNull();
    await(s.poll());
    var rejected = s.lastRejected();
    assertThat(rejected).isNotNull();
    assertThat(rejected.by()).isEqualTo("system:file-watch");
    await(s.poll());
    await(s.poll());
    assertThat(s.lastRejected()).isSameAs(rejected);
    assertThat(audits(ConsoleSettingsService.AUDIT_REJECTED)).isEqualTo(1);
    assertThat(canned(s)).startsWith("Hello");

    Files.writeString(file, V2);
    await(s.poll());
    assertThat(s.lastRejected()).isNull();
    assertThat(canned(s)).startsWith("Good morning");
  }

  @Test
  void aHalfWrittenFileFixedBeforeTheNextPollShouldNeverBeReported() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.writeString(file, "wrapUp:\n  dispositions:\n");
    await(s.poll());
    Files.writeString(file, V2);
    await(s.poll());
    assertThat(s.lastRejected()).isNull();
    assertThat(audits(ConsoleSettingsService.AUDIT_REJECTED)).isZero();
    assertThat(canned(s)).startsWith("Good morning");
  }

  @Test
  void aBadEditRevertedAndMadeAgainShouldAgainNeedTwoPollsToBeReported() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.writeString(file, BROKEN);
    await(s.poll());
    Files.writeString(file, V1);
    await(s.poll());
    Files.writeString(file, BROKEN);
    await(s.poll());
    assertThat(s.lastRejected()).isNull();
    await(s.poll());
    assertThat(s.lastRejected()).isNotNull();
  }

  @Test
  void concurrentReloadsShouldPutAChangeInForceOnce() throws Exception {
    ConsoleSettingsService s = service(V1);
    Files.writeString(file, V2);
    List<Future<ReloadResult>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(s.reload(ROOT));
    }
    all.add(s.poll().map(v -> (ReloadResult) null));
    await(Future.all(all));
    assertThat(all.stream().map(Future::result).filter(r -> r != null && r.changed())).hasSize(1);
    assertThat(audits(ConsoleSettingsService.AUDIT_APPLIED)).isEqualTo(1);
  }

  /** Waits (with a deadline) until {@code n} change events arrived; they are published before the reload completes. */
  private void awaitChanges(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (changes.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(changes).hasSize(n);
  }
}

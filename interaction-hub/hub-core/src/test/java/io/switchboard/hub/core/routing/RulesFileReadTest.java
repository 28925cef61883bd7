package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15.4: the rules file is read off the event loop. The file here is a named pipe, whose read blocks until
 * someone writes to it (as a file on a hung network mount would): while the reload waits for it, the event loop
 * that asked for the reload keeps serving other work.
 */
@DisplayName("the routing rules file is read off the event loop")
class RulesFileReadTest {
  static final String RULES = """
      skills: [billing]
      queues:
        - id: billing
          name: Billing
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 15m
      rules:
        - name: default
          queue: billing
      """;

  static CoreFixture fx;

  @BeforeAll
  static void start() {
    fx = CoreFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  @DisplayName("a reload whose file read hangs leaves the event loop free, and applies the rules once the read completes")
  void aReloadWhoseFileReadHangsLeavesTheEventLoopFree(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("routing.yaml");
    Files.writeString(file, RULES);
    RulesService rules = new RulesService(fx.vertx, fx.stores, file);
    await(rules.start());
    Files.delete(file);
    Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();

    Context loop = fx.vertx.getOrCreateContext();
    Promise<RulesService.ReloadResult> reload = Promise.promise();
    loop.runOnContext(v -> rules.reloadFile(new Principal.System("test")).onComplete(reload));
    try {
      // The same event loop answers while the file read waits for a writer.
      CompletableFuture<Boolean> answered = new CompletableFuture<>();
      loop.runOnContext(v -> answered.complete(Context.isOnEventLoopThread()));
      assertThat(answered.get(10, TimeUnit.SECONDS)).as("the event loop ran other work during the read").isTrue();
      assertThat(reload.future().isComplete()).isFalse();
    } finally {
      // Whatever happened, the reader gets its text (and a blocked event loop is freed).
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(RULES.replace("name: Billing", "name: Billing desk").getBytes(StandardCharsets.UTF_8));
      }
    }
    RulesService.ReloadResult result = await(reload.future());
    assertThat(result.applied()).as(result.message()).isTrue();
    assertThat(rules.current().queues().get("billing").name()).isEqualTo("Billing desk");
  }
}

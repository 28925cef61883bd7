package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What callers get while PostgreSQL or Redis is down: 503 {@code unavailable} with Retry-After (providers and
 * integrations retry on 503, not on 500), at once rather than after a timeout, and a /health that answers at once and
 * names the dependency that is down. When the server is back, the same requests work again without a restart.
 */
class FailureAnswersTest {
  /** Far above what these answers take (a few milliseconds), far below the old 5-second Redis timeout plus a 500. */
  static final Duration PROMPT = Duration.ofSeconds(3);

  @RegisterExtension
  static final FaultyHub faulty = new FaultyHub();

  @AfterEach
  void bringBack() {
    faulty.servers().startPostgres();
    faulty.servers().startRedis();
  }

  @Test
  void withPostgresDownWritesAnswer503UnavailableWithRetryAfterAndHealthSaysWhich() {
    String token = faulty.hub().login("sam", "sam-demo-pw");
    faulty.servers().stopPostgres();

    TestHub.Response intake = timed("intake", () -> faulty.hub().post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), contact()));
    assertUnavailable(intake);
    TestHub.Response read = timed("a customer search", () -> faulty.hub().get("/api/v1/customers?q=Vera", TestHub.bearer(token)));
    assertUnavailable(read);
    TestHub.Response state = timed("a state change", () -> faulty.hub().put("/api/v1/agents/me/state", TestHub.bearer(token),
        "{\"state\":\"available\"}"));
    assertUnavailable(state);

    TestHub.Response health = timed("/health", () -> faulty.hub().get("/health", null));
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().getJsonObject("checks").getString("postgres")).isEqualTo("down");
    assertThat(health.json().getJsonObject("checks").getString("redis")).isEqualTo("up");
    assertThat(health.json().getString("status")).isEqualTo("down");

    faulty.servers().startPostgres();
    TestHub.Response again = eventually(() -> faulty.hub().post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), contact()), 201);
    assertThat(again.json().getString("outcome")).isEqualTo("created");
    assertThat(eventually(() -> faulty.hub().get("/health", null), 200).json().getString("status")).isEqualTo("up");
  }

  @Test
  void withRedisDownLoginAndOffersAnswer503AtOnceAndHealthSaysWhich() {
    String token = faulty.hub().login("alice", "alice-demo-pw");
    faulty.servers().stopRedis();

    TestHub.Response login = timed("login", () -> faulty.hub().post("/api/v1/auth/login", null,
        new JsonObject().put("username", "bob").put("password", "bob-demo-pw").encode()));
    assertUnavailable(login);
    TestHub.Response offers = timed("offers", () -> faulty.hub().get("/api/v1/agents/me/offers", TestHub.bearer(token)));
    assertUnavailable(offers);

    TestHub.Response health = timed("/health", () -> faulty.hub().get("/health", null));
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().getJsonObject("checks").getString("redis")).isEqualTo("down");
    assertThat(health.json().getJsonObject("checks").getString("postgres")).isEqualTo("up");

    faulty.servers().startRedis();
    eventually(() -> faulty.hub().post("/api/v1/auth/login", null,
        new JsonObject().put("username", "bob").put("password", "bob-demo-pw").encode()), 200);
    assertThat(eventually(() -> faulty.hub().get("/api/v1/agents/me/offers", TestHub.bearer(token)), 200).status()).isEqualTo(200);
    eventually(() -> faulty.hub().get("/health", null), 200);
  }

  // ---------------------------------------------------------------------------------------------------------

  static void assertUnavailable(TestHub.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(503);
    assertThat(r.isProblem()).as(r.toString()).isTrue();
    assertThat(r.json().getString("type")).isEqualTo("urn:switchboard:problem:unavailable");
    assertThat(r.retryAfter()).as("Retry-After of %s", r).isNotNull();
    assertThat(Integer.parseInt(r.retryAfter())).isPositive();
  }

  static String contact() {
    String id = UUID.randomUUID().toString();
    return new JsonObject().put("channel", "chat").put("externalId", "fault-" + id)
        .put("sender", new JsonObject().put("kind", "email").put("value", "f" + id.substring(0, 8) + "@example.com"))
        .put("threadKey", "fault-" + id).put("content", new JsonObject().put("type", "text").put("text", "hello"))
        .encode();
  }

  static TestHub.Response timed(String what, Supplier<TestHub.Response> call) {
    long start = System.nanoTime();
    TestHub.Response r = call.get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("%s answered (%s) in %s", what, r.status(), took).isLessThan(PROMPT);
    return r;
  }

  /** Repeats {@code call} until it answers {@code status} (the pools reconnect in the background). */
  static TestHub.Response eventually(Supplier<TestHub.Response> call, int status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    TestHub.Response last;
    do {
      last = call.get();
      if (last.status() == status) {
        return last;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("still " + last + " instead of " + status + " after 60 s");
  }
}

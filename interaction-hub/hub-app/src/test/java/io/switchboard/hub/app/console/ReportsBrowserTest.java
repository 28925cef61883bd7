package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.accept;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.hub.app.console.ConsoleSteps.startChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #16's "done when", in the browser: a supervisor opens last week's report per queue and per agent, exports it
 * to CSV and sees CSAT and first-contact resolution; a customer rates a chat in the widget and the rating shows on the
 * customer (the agent's customer 360) and in the report. Agents see only their own figures.
 */
@DisplayName("reports page and CSAT in the browser")
class ReportsBrowserTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static Chromium chromium;
  private TestHub hub;
  private Database db;

  @BeforeAll
  static void launch() {
    chromium = Chromium.open();
  }

  @AfterAll
  static void quit() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    Path config = TestHub.configWithChannel(null, "webchat", Map.of("queueUpdateInterval", "500ms",
        "topics", List.of(Map.of("id", "billing", "label", "Billing"), Map.of("id", "general", "label", "Anything else"))));
    Files.writeString(config.resolve("analytics.yaml"), """
        reports:
          refreshSeconds: 1
        surveys:
          queues:
            billing:
              channels: [chat]
              question: "How did our billing team do?"
        """);
    hub = TestHub.startWith(Map.of(), config);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
  }

  @AfterEach
  void stop() {
    if (db != null) {
      db.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  /** Monday of last week, as the page's "Last week" computes it (the browser runs in UTC here). */
  private static LocalDate lastMonday() {
    return LocalDate.now(ZoneOffset.UTC).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1);
  }

  /**
   * Last Wednesday in billing: Alice handled a contact rated 5; Bob one rated 3 whose customer came back to billing
   * two days later (so it was not resolved at first contact).
   */
  private void seedLastWeek() {
    UUID alice = (UUID) one("SELECT id FROM agents WHERE username = 'alice'");
    UUID bob = (UUID) one("SELECT id FROM agents WHERE username = 'bob'");
    ZonedDateTime wednesday = lastMonday().plusDays(2).atTime(10, 0).atZone(BERLIN);
    handled(UUID.randomUUID(), alice, wednesday, 5);
    UUID returning = UUID.randomUUID();
    handled(returning, bob, wednesday.plusHours(1), 3);
    UUID conv = UUID.randomUUID();
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'chat')", conv, returning);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, created_at, queued_at,"
        + " ended_at) VALUES ($1, $2, $3, 'chat', $4, 'abandoned', 'billing', $5, $5, $6)", UUID.randomUUID(), conv, returning,
        UUID.randomUUID().toString(), wednesday.plusDays(2).toOffsetDateTime(), wednesday.plusDays(2).plusMinutes(1).toOffsetDateTime());
  }

  private void handled(UUID customer, UUID agent, ZonedDateTime at, int rating) {
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'Seeded customer')", customer);
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'chat')", conv, customer);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id, created_at,"
        + " queued_at, answered_at, ended_at) VALUES ($1, $2, $3, 'chat', $4, 'ended', 'billing', $5, $6, $6, $7, $8)",
        id, conv, customer, id.toString(), agent, at.toOffsetDateTime(), at.plusSeconds(20).toOffsetDateTime(),
        at.plusMinutes(6).toOffsetDateTime());
    sql("INSERT INTO interaction_transitions (interaction_id, to_state, queue_id, agent_id, at) VALUES ($1, 'assigned', 'billing', $2, $3)",
        id, agent, at.plusSeconds(20).toOffsetDateTime());
    sql("INSERT INTO csat_surveys (interaction_id, customer_id, channel, queue_id, agent_id, via, status, sent_at, expires_at, rating,"
        + " answered_at) VALUES ($1, $2, 'chat', 'billing', $3, 'widget', 'answered', $4, $5, $6, $5)", id, customer, agent,
        at.plusMinutes(6).toOffsetDateTime(), at.plusMinutes(7).toOffsetDateTime(), (short) rating);
  }

  @Test
  @DisplayName("last week per queue and agent with CSAT and FCR, CSV export; a chat rated in the widget shows on the customer and the report")
  void aSupervisorReadsLastWeekAndACustomersWidgetRatingShowsOnTheCustomerAndTheReport() throws Exception {
    seedLastWeek();
    String sam = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String from = lastMonday().toString();
    String to = lastMonday().plusWeeks(1).toString();
    // The seeded rows are in the report tables once the job has run (every second here).
    assertThat(hub.post("/api/v1/reports/rebuild", TestHub.bearer(hub.login("ada", "ada-demo-pw")),
        new JsonObject().put("from", from).put("to", to).encode()).status()).isEqualTo(202);
    awaitReport("/api/v1/reports/queues?from=" + from + "&to=" + to + "&interval=week&queues=billing", sam, 2);

    // The supervisor opens the reports: last week, per queue, by default.
    Page supervisor = chromium.newPage();
    signIn(hub, supervisor, "sam");
    supervisor.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Reports")).click();
    assertThat(supervisor.getByTestId("reports-range")).hasValue("last-week");
    assertThat(supervisor.getByTestId("reports-from")).hasValue(from);
    supervisor.getByTestId("reports-interval").selectOption("week");
    Locator billing = supervisor.getByTestId("report-row").filter(new Locator.FilterOptions().setHasText("billing"));
    assertThat(billing).hasCount(1);
    assertThat(billing.locator("[data-field=csatAverage]")).hasText("4.00 / 5");
    assertThat(billing.locator("[data-field=fcrRate]")).hasText("50.0 %");
    assertThat(billing.locator("[data-field=answered]")).hasText("2");
    assertThat(supervisor.locator("sb-reports thead")).containsText("CSAT");
    assertThat(supervisor.locator("sb-reports thead")).containsText("FCR");
    // The chart shows the figure chosen, one bar set per queue.
    supervisor.getByTestId("reports-metric").selectOption("csatAverage");
    assertThat(supervisor.getByTestId("reports-chart")).isVisible();
    JsonArray datasets = new JsonArray((String) supervisor.evaluate(
        "JSON.stringify(document.querySelector('sb-reports').chart.data.datasets.map(d => ({label: d.label, data: d.data})))"));
    assertThat(datasets.stream().map(JsonObject.class::cast).filter(d -> d.getString("label").equals("billing")).findFirst()
        .orElseThrow().getJsonArray("data").getDouble(0)).isEqualTo(4.0);

    // Export to CSV: the file the browser saves has the CSAT and FCR columns.
    Download download = supervisor.waitForDownload(() -> supervisor.getByTestId("reports-export").click());
    assertThat(download.suggestedFilename()).isEqualTo("switchboard-queues-" + from + "-to-" + to + ".csv");
    String csv = Files.readString(download.path(), StandardCharsets.UTF_8);
    assertThat(csv).startsWith("\uFEFFperiodStart,queue,").contains("fcrRate").contains("csatAverage")
        .contains(",billing,").contains(",50.00,").contains(",4.00,100.00\r\n");

    // Per agent: Alice's 5 and Bob's 3.
    supervisor.getByTestId("reports-dimension").selectOption("agents");
    Locator aliceRow = supervisor.getByTestId("report-row").filter(new Locator.FilterOptions().setHasText("Alice"));
    assertThat(aliceRow.locator("[data-field=csatAverage]")).hasText("5.00 / 5");
    assertThat(supervisor.getByTestId("report-row").filter(new Locator.FilterOptions().setHasText("Bob"))
        .locator("[data-field=csatAverage]")).hasText("3.00 / 5");
    Chromium.screenshot(supervisor, "40-reports-last-week-agents");

    // A customer chats, ends the chat and rates it in the widget.
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    Page customer = startChat(chromium, hub, "Rosa Rating", null, "billing", "Rosa: my bill is twice as high");
    accept(agent, "Rosa Rating");
    Locator workspace = shownWorkspace(agent);
    assertThat(workspace.getByTestId("conversation")).containsText("my bill is twice as high");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("End chat")).first().click();
    customer.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName("End the chat"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("End chat")).click();
    assertThat(customer.locator("#sb-csat-q")).hasText("How did our billing team do?");
    customer.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("4 of 5")).click();
    customer.locator("#sb-csat-comment").fill("Sorted out quickly, thanks");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send rating")).click();
    assertThat(customer.locator("#sb-ended")).hasText("Thank you for your rating!");
    Chromium.screenshot(customer, "41-widget-rated");

    // It shows on the customer: the agent's customer 360 has the last CSAT.
    workspace.getByTestId("kpi-refresh").click();
    assertThat(workspace.getByTestId("kpi-csat")).containsText("4/5");
    assertThat(workspace.getByTestId("kpi-csat")).containsText("Sorted out quickly, thanks");
    assertThat(workspace.getByTestId("kpi-contacts")).containsText("1");
    assertThat(workspace.getByTestId("kpi-preferred")).hasText("Chat");
    Chromium.screenshot(agent, "42-customer-360-csat");

    // The agent wraps up; the report of this week has the rating in billing.
    String interactionId = (String) agent.evaluate("document.querySelector('sb-interaction-workspace').summary.interactionId");
    String alice = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    var wrapped = hub.post("/api/v1/interactions/" + interactionId + "/wrap-up", alice, "{\"disposition\":\"resolved\"}");
    assertThat(wrapped.status()).as(wrapped.body()).isEqualTo(204);
    String today = LocalDate.now(BERLIN).toString();
    String tomorrow = LocalDate.now(BERLIN).plusDays(1).toString();
    awaitReport("/api/v1/reports/queues?from=" + today + "&to=" + tomorrow + "&queues=billing", sam, 1);
    supervisor.getByTestId("reports-dimension").selectOption("queues");
    supervisor.getByTestId("reports-range").selectOption("custom");
    supervisor.getByTestId("reports-from").fill(today);
    supervisor.getByTestId("reports-to").fill(tomorrow);
    supervisor.getByTestId("reports-load").click();
    Locator todayBilling = supervisor.getByTestId("report-row").filter(new Locator.FilterOptions().setHasText("billing"));
    assertThat(todayBilling.locator("[data-field=csatAverage]")).hasText("4.00 / 5");
    assertThat(todayBilling.locator("[data-field=csatResponseRate]")).hasText("100.0 %");
    Chromium.screenshot(supervisor, "43-reports-today-csat");
  }

  @Test
  @DisplayName("an agent's reports page offers only their own figures, and the hub refuses more")
  void anAgentSeesOnlyTheirOwnFigures() {
    seedLastWeek();
    String from = lastMonday().toString();
    String to = lastMonday().plusWeeks(1).toString();
    assertThat(hub.post("/api/v1/reports/rebuild", TestHub.bearer(hub.login("ada", "ada-demo-pw")),
        new JsonObject().put("from", from).put("to", to).encode()).status()).isEqualTo(202);
    awaitReport("/api/v1/reports/agents?from=" + from + "&to=" + to, TestHub.bearer(hub.login("sam", "sam-demo-pw")), 2);
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    agent.navigate(hub.baseUrl() + "/#/reports");
    assertThat(agent.getByTestId("reports-dimension").locator("option")).hasText(new String[] {"My figures"});
    Locator rows = agent.getByTestId("report-row");
    assertThat(rows).hasCount(1);
    assertThat(rows).containsText("Alice");
    assertThat(rows.locator("[data-field=csatAverage]")).hasText("5.00 / 5");
    // Whatever the page is made to ask, the hub answers with the agent's own row or 403.
    Object status = agent.evaluate("async () => { const t = sessionStorage.getItem('switchboard.token');"
        + " const r = await fetch('/api/v1/reports/queues?from=" + from + "&to=" + to + "', {headers: {Authorization: 'Bearer ' + t}});"
        + " return r.status; }");
    assertThat(status).isEqualTo(403);
    Chromium.screenshot(agent, "44-reports-agent-own");
  }

  private void awaitReport(String path, String token, int answered) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonArray rows = hub.get(path, token).json().getJsonArray("rows");
      long sum = rows.stream().map(JsonObject.class::cast).mapToLong(r -> r.getLong("csatResponses", 0L)).sum();
      if (sum >= answered) {
        return;
      }
      assertThat(System.nanoTime()).as("report rows within 60 s: " + path).isLessThan(deadline);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private void sql(String statement, Object... params) {
    await(db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  private Object one(String statement) {
    return await(db.pool().query(statement).execute()).iterator().next().getValue(0);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

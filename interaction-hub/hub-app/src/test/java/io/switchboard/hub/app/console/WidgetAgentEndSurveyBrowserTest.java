package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.accept;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.hub.app.console.ConsoleSteps.startChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.store.Database;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The agent ends a web chat with the console's End button; the customer, still on the page, is asked for a rating in
 * the widget, gives it, and it is stored once on the interaction (issue #16, CSAT on web chat).
 */
@DisplayName("web chat widget: a rating after the agent ends the chat, in the browser")
class WidgetAgentEndSurveyBrowserTest {
  private static Chromium chromium;
  private static TestHub hub;
  private static Database db;

  @BeforeAll
  static void start() throws Exception {
    chromium = Chromium.open();
    Path config = TestHub.configWithChannel(null, "webchat", Map.of("queueUpdateInterval", "500ms",
        "topics", List.of(Map.of("id", "billing", "label", "Billing"), Map.of("id", "general", "label", "Anything else"))));
    Files.writeString(config.resolve("analytics.yaml"), """
        surveys:
          queues:
            billing:
              channels: [chat]
              question: "How did our billing team do?"
        """);
    hub = TestHub.startWith(Map.of(), config);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    if (hub != null) {
      hub.close();
    }
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void theAgentEndsTheChatAndTheCustomerRatesItInTheWidget() throws Exception {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    Page customer = startChat(chromium, hub, "Enno Ended", null, "billing", "Enno: why two invoices?");
    accept(agent, "Enno Ended");
    Locator workspace = shownWorkspace(agent);
    assertThat(workspace.getByTestId("conversation")).containsText("why two invoices?");
    String interactionId = (String) agent.evaluate("document.querySelector('sb-interaction-workspace').summary.interactionId");

    workspace.getByTestId("end").click();

    // The customer did nothing: the widget says the agent ended the chat and asks the queue's question.
    assertThat(customer.locator("#sb-ended")).hasText("The agent has ended this chat. Thank you!");
    assertThat(customer.locator("#sb-csat-q")).hasText("How did our billing team do?");
    Chromium.screenshot(customer, "43-widget-survey-after-agent-end");
    customer.getByRole(AriaRole.RADIO, new Page.GetByRoleOptions().setName("5 of 5")).click();
    customer.locator("#sb-csat-comment").fill("Fixed before I asked twice");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send rating")).click();
    assertThat(customer.locator("#sb-ended")).hasText("Thank you for your rating!");

    List<Row> rows = new ArrayList<>();
    db.pool().preparedQuery("SELECT via, rating, comment FROM csat_surveys WHERE interaction_id = $1::uuid")
        .execute(io.vertx.sqlclient.Tuple.of(interactionId)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .forEach(rows::add);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString("via")).isEqualTo("widget");
    assertThat(rows.get(0).getShort("rating")).isEqualTo((short) 5);
    assertThat(rows.get(0).getString("comment")).isEqualTo("Fixed before I asked twice");
  }
}

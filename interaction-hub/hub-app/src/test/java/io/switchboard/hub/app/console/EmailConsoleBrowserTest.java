package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.TestHub.DEMO_API_KEY;
import static io.switchboard.hub.app.TestHub.apiKey;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The email view of the console in Chromium: the agent is told before writing when the mailbox cannot send
 * (issue #10 item 5), and an email read from a real mailbox shows sender, recipients, subject, the quoted text
 * collapsed, its files to download, and the reply's send state.
 */
@DisplayName("the console's email view in Chromium")
class EmailConsoleBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withoutHub();
  private final Chromium chromium = browser.chromium();
  private TestHub hub;
  private GreenMail mail;

  @AfterEach
  void stop() {
    if (mail != null) {
      mail.stop();
    }
  }

  @Test
  @DisplayName("an agent is told before writing that the mailbox cannot send, and Send stays off (a note still works)")
  void anAgentIsToldBeforeWritingThatTheMailboxCannotSend() {
    hub = browser.use(TestHub.start());
    var r = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<no-sender-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", "Parcel missing")
        .put("content", new JsonObject().put("type", "text").put("text", "My parcel never arrived.")).encode());
    org.assertj.core.api.Assertions.assertThat(r.status()).as(r.body()).isEqualTo(201);

    Page agent = chromium.newPage();
    signIn(agent, "alice");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Parcel missing");
    offer.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(agent.getByTestId("conversation")).containsText("My parcel never arrived.");

    // Before a word is written: the reason, and no Send.
    Locator warning = agent.getByTestId("cannot-send");
    assertThat(warning).isVisible();
    assertThat(warning).containsText("Replies cannot be sent from here");
    assertThat(warning).containsText("no mailbox is set up for email");
    Locator composer = agent.getByTestId("composer");
    composer.fill("We are looking into it.");
    assertThat(agent.getByTestId("send")).isDisabled();
    Chromium.screenshot(agent, "21-email-cannot-send");

    // A private note is still possible.
    agent.getByLabel("Private note", new Page.GetByLabelOptions().setExact(true)).check();
    assertThat(agent.getByTestId("send")).isEnabled();
    agent.getByTestId("send").click();
    assertThat(agent.getByTestId("conversation").locator("[data-direction=internal]")).containsText("We are looking into it.");
    assertThat(agent.getByTestId("conversation").locator("[data-direction=outbound]")).hasCount(0);
  }

  @Test
  @DisplayName("a mail from the mailbox shows its headers, the quoted text collapsed, its file; the reply shows it was sent")
  void theEmailViewShowsHeadersQuotedTextFilesAndSendState() throws Exception {
    mail = new GreenMail(new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort()});
    mail.start();
    mail.setUser("support@northwind.example", "support@northwind.example", "pw-support");
    Path config = TestHub.configWithChannel(null, "email", Map.of("mailboxes", List.of(Map.of("name", "support",
        "address", "support@northwind.example", "displayName", "Northwind Support",
        "imap", Map.of("host", "127.0.0.1", "port", mail.getImap().getPort(), "tls", "none", "pollInterval", "1s", "initialSync", "all"),
        "smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "tls", "none"))), "lease", "1s"));
    hub = browser.use(TestHub.startWith(Map.of("SWITCHBOARD_EMAIL_SUPPORT_PASSWORD", "pw-support"), config));

    String pdf = Base64.getMimeEncoder().encodeToString("%PDF-1.4 receipt".getBytes(StandardCharsets.UTF_8));
    String raw = "From: Leon Albrecht <leon.albrecht1@example.net>\nTo: Northwind Support <support@northwind.example>\n"
        + "Cc: Partner <partner@example.com>\nSubject: Refund for order 77\nMessage-ID: <refund-77@example.net>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain; charset=utf-8\n\n"
        + "Where is my refund?\n\nOn Mon, Northwind Support wrote:\n> Your refund is on its way.\n"
        + "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"receipt.pdf\"\n"
        + "Content-Transfer-Encoding: base64\n\n" + pdf + "\n--m--\n";
    mail.getUserManager().getUser("support@northwind.example").deliver(new MimeMessage(Session.getInstance(new Properties()),
        new ByteArrayInputStream(raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8))));

    Page agent = chromium.newPage();
    signIn(agent, "alice");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Refund for order 77");
    offer.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();

    Locator inbound = agent.getByTestId("conversation").locator("[data-direction=inbound]");
    assertThat(inbound).containsText("Where is my refund?");
    assertThat(inbound.getByTestId("email-headers")).containsText("From Leon Albrecht <leon.albrecht1@example.net>");
    assertThat(inbound.getByTestId("email-headers")).containsText("To Northwind Support <support@northwind.example>");
    assertThat(inbound.getByTestId("email-headers")).containsText("Cc Partner <partner@example.com>");
    assertThat(inbound.locator(".subject")).hasText("Refund for order 77");
    Locator quoted = inbound.getByTestId("quoted");
    assertThat(quoted).not().hasAttribute("open", "");
    assertThat(quoted.locator(".body")).isHidden();
    quoted.locator("summary").click();
    assertThat(quoted.locator(".body")).containsText("> Your refund is on its way.");
    assertThat(inbound.locator(".attachments a")).containsText("receipt.pdf");
    assertThat(agent.getByTestId("cannot-send")).hasCount(0);
    Chromium.screenshot(agent, "22-email-view");

    agent.getByTestId("composer").fill("Your refund was sent yesterday.");
    agent.getByTestId("send").click();
    Locator reply = agent.getByTestId("conversation").locator("[data-direction=outbound]");
    assertThat(reply).containsText("Your refund was sent yesterday.");
    assertThat(reply.locator(".status")).hasText("✓ sent");
    Chromium.screenshot(agent, "23-email-sent");
  }

  private void signIn(Page page, String username) {
    page.navigate(hub.baseUrl() + "/");
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(username + "-demo-pw");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByTestId("connection")).hasText("Connected");
  }
}

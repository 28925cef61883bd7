package io.switchboard.channel.email;

import static io.switchboard.channel.email.FakeHub.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Handling;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.MessageContent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("reading a mailbox: IDLE, polling, position kept, failures survived")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MailboxReaderTest {
  private MailServer mail;
  private FakeHub hub;

  @BeforeEach
  void start() {
    mail = new MailServer();
    hub = new FakeHub();
  }

  @AfterEach
  void stop() {
    hub.close();
    mail.close();
  }

  private EmailAdapter adapter(Map<String, Object> settings) {
    return hub.startAdapter(settings);
  }

  private void stopAdapter(EmailAdapter a) {
    hub.stopAdapter(a);
  }

  @Test
  @DisplayName("a mail that arrives after the reader searched the folder and before its IDLE is read at once, not at the next poll")
  void aMailArrivingBetweenTheSearchAndTheIdleIsNotLeftForTheNextPoll() {
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    // The first read of the empty folder sets the cursor after its search: the mail is delivered right then.
    hub.onAdvance = () -> {
      if (once.compareAndSet(false, true)) {
        mail.deliver(MailServer.plain("<m2@customer.example>", "Nora New <nora@customer.example>", "Between", "Just now."));
      }
    };
    adapter(mail.settings(Map.of("pollInterval", "60s"), Map.of()));
    awaitUntil(() -> hub.stored.size() == 1, 15, "the mail to be stored (the poll interval is 60 s)");
    assertThat(hub.subjects()).containsExactly("Between");
  }

  @Test
  @DisplayName("a mail that arrives while the reader waits in IDLE is stored at once, flagged seen, with the mailbox's attributes")
  void newMailArrivesThroughIdle() {
    EmailAdapter a = adapter(mail.settings(Map.of("pollInterval", "60s"), Map.of()));
    awaitUntil(() -> a.reads("support"), 10, "the reader to connect");
    mail.deliver(MailServer.plain("<m1@customer.example>", "Nora New <nora@customer.example>", "Invoice 42", "The amount is wrong."));
    awaitUntil(() -> hub.stored.size() == 1, 10, "the mail to be stored (IDLE, the poll interval is 60 s)");
    InboundContact c = hub.stored.get(0);
    assertThat(c.externalId()).isEqualTo("<m1@customer.example>");
    assertThat(c.sender().value()).isEqualTo("nora@customer.example");
    assertThat(c.senderName()).isEqualTo("Nora New");
    assertThat(c.subject()).isEqualTo("Invoice 42");
    assertThat(c.content()).isEqualTo(new MessageContent.Text("The amount is wrong."));
    assertThat(c.metadata()).containsEntry("mailbox", "support").containsEntry("topic", "general");
    assertThat(c.to()).extracting(x -> x.address()).containsExactly(MailServer.SUPPORT);
    assertThat(c.handling()).isEqualTo(Handling.ROUTE);
    awaitUntil(() -> mail.folder("INBOX").equals(List.of("Invoice 42|seen")), 10, "the mail to be flagged seen");
  }

  @Test
  @DisplayName("without IDLE the mailbox is polled, and moved messages leave the inbox for the configured folder")
  void pollingAndMove() {
    mail.deliver(MailServer.plain("<p1@c.example>", "a@c.example", "First", "one"));
    EmailAdapter a = adapter(mail.settings(Map.of("idle", false, "pollInterval", "300ms", "afterStore", "move", "moveTo", "Processed"),
        Map.of()));
    awaitUntil(() -> hub.stored.size() == 1, 10, "the first mail");
    mail.deliver(MailServer.plain("<p2@c.example>", "b@c.example", "Second", "two"));
    awaitUntil(() -> hub.stored.size() == 2, 10, "the second mail, by polling");
    awaitUntil(() -> mail.folder("INBOX").isEmpty() && mail.folder("Processed").size() == 2, 10, "both moved");
    assertThat(hub.subjects()).containsExactly("First", "Second");
    assertThat(a.reads("support")).isTrue();
  }

  @Test
  @DisplayName("a hub that cannot store stops the reading mid-mailbox; after a restart the rest is stored once, nothing twice")
  void restartMidMailboxMissesAndDoublesNothing() {
    for (int i = 1; i <= 30; i++) {
      mail.deliver(MailServer.plain("<r" + i + "@c.example>", "c" + i + "@c.example", "Mail " + i, "text " + i));
    }
    Map<String, Object> settings = mail.settings(Map.of("batchSize", 5), Map.of());
    EmailAdapter first = adapter(settings);
    awaitUntil(() -> hub.stored.size() >= 12, 20, "some mail");
    hub.down = true;
    int before = hub.stored.size();
    stopAdapter(first);
    assertThat(before).isLessThan(30);
    hub.down = false;
    adapter(settings);
    awaitUntil(() -> hub.stored.size() == 30, 20, "the rest of the mailbox");
    assertThat(hub.stored).extracting(InboundContact::externalId).doesNotHaveDuplicates().hasSize(30);
    awaitUntil(() -> mail.folder("INBOX").stream().allMatch(s -> s.endsWith("|seen")), 10, "all flagged seen");
    // Messages stored but not yet behind the cursor when the first reader stopped come back as duplicates only.
    assertThat(hub.duplicates.size()).isLessThanOrEqualTo(5);
  }

  @Test
  @DisplayName("an IDLE connection that drops is reconnected with backoff and no mail is lost meanwhile")
  void idleDropsAreSurvived() throws Exception {
    try (TcpProxy proxy = new TcpProxy(mail.imapPort())) {
      Map<String, Object> settings = mail.settings(Map.of("port", proxy.port(), "pollInterval", "60s"), Map.of());
      EmailAdapter a = adapter(settings);
      awaitUntil(() -> a.reads("support"), 10, "the reader to connect");
      int connections = proxy.accepted();
      proxy.dropAll();
      mail.deliver(MailServer.plain("<d1@c.example>", "d@c.example", "While dropped", "x"));
      awaitUntil(() -> hub.stored.size() == 1, 15, "the mail delivered while the connection was down");
      assertThat(proxy.accepted()).isGreaterThan(connections);
      // The server goes away for a while: the reader keeps trying, then picks up what arrived meanwhile.
      proxy.refuse(true);
      mail.deliver(MailServer.plain("<d2@c.example>", "d@c.example", "While away", "y"));
      Thread.sleep(1500);
      assertThat(hub.stored).hasSize(1);
      proxy.refuse(false);
      awaitUntil(() -> hub.stored.size() == 2, 15, "the mail delivered while the server was away");
      assertThat(hub.subjects()).containsExactly("While dropped", "While away");
    }
  }

  @Test
  @DisplayName("two nodes: one reads the mailbox; when it stops, the other takes over within seconds and doubles nothing")
  void anotherNodeTakesOver() {
    Map<String, Object> settings = mail.settings(Map.of(), Map.of());
    EmailAdapter one = adapter(settings);
    awaitUntil(() -> one.reads("support"), 10, "node one to read");
    EmailAdapter two = adapter(settings);
    mail.deliver(MailServer.plain("<n1@c.example>", "n@c.example", "Before", "x"));
    awaitUntil(() -> hub.stored.size() == 1, 10, "the first mail");
    assertThat(two.reads("support")).as("the second node stands by").isFalse();
    stopAdapter(one);
    awaitUntil(() -> two.reads("support"), 10, "node two to take over (lease 1 s)");
    mail.deliver(MailServer.plain("<n2@c.example>", "n@c.example", "After", "y"));
    awaitUntil(() -> hub.stored.size() == 2, 10, "the mail after the takeover");
    assertThat(hub.stored).extracting(InboundContact::externalId).containsExactly("<n1@c.example>", "<n2@c.example>");
  }

  @Test
  @DisplayName("a malformed message is set aside raw with the reason, and the mail after it is still read")
  void malformedMailNeverBlocksTheMailbox() {
    mail.deliver("To: support@example.com\nSubject: no sender\nMessage-ID: <bad1@c.example>\n\nwho am I?\n");
    mail.deliver("From: x@c.example\nSubject: broken\nMessage-ID: <bad2@c.example>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/mixed\n\nno boundary at all\n");
    mail.deliver(MailServer.plain("<ok@c.example>", "ok@c.example", "Fine", "fine"));
    adapter(mail.settings(Map.of(), Map.of()));
    awaitUntil(() -> hub.stored.size() == 1 && hub.quarantined.size() == 2, 10, "one stored, two set aside");
    assertThat(hub.bySubject("Fine").externalId()).isEqualTo("<ok@c.example>");
    assertThat(hub.quarantined).extracting(q -> q.reason()).anySatisfy(r -> assertThat(r).contains("no sender"))
        .anySatisfy(r -> assertThat(r).contains("MIME structure"));
    assertThat(hub.quarantined.get(0).raw().toString()).contains("who am I?");
    assertThat(hub.quarantined.get(0).facts()).containsEntry("Subject", "no sender");
    awaitUntil(() -> mail.folder("INBOX").stream().allMatch(s -> s.endsWith("|seen")), 10, "all three flagged seen");
  }

  @Test
  @DisplayName("a contact the hub refuses is set aside, not retried forever")
  void refusedContactsAreSetAside() {
    hub.refuse = "weird@c.example";
    mail.deliver(MailServer.plain("<w@c.example>", "weird@c.example", "Refused", "x"));
    mail.deliver(MailServer.plain("<v@c.example>", "fine@c.example", "Taken", "y"));
    adapter(mail.settings(Map.of(), Map.of()));
    awaitUntil(() -> hub.stored.size() == 1 && hub.quarantined.size() == 1, 10, "one stored, one set aside");
    assertThat(hub.quarantined.get(0).reason()).contains("the hub refused it").contains("sender.value");
  }

  @Test
  @DisplayName("a message over the size limit keeps its text; its attachments are named, not downloaded")
  void hugeMessages() {
    StringBuilder big = new StringBuilder();
    String line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw==\n";
    while (big.length() < 3_000_000) {
      big.append(line);
    }
    mail.deliver("From: huge@c.example\nTo: support@example.com\nSubject: Huge\nMessage-ID: <huge@c.example>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain; charset=utf-8\n\nSee the scan.\n"
        + "--b1\nContent-Type: application/pdf; name=\"scan.pdf\"\nContent-Disposition: attachment; filename=\"scan.pdf\"\n"
        + "Content-Transfer-Encoding: base64\n\n" + big + "--b1--\n");
    Map<String, Object> settings = mail.settings(Map.of(), Map.of("limits", Map.of("maxMessageBytes", "1MiB")));
    adapter(settings);
    awaitUntil(() -> hub.stored.size() == 1, 20, "the huge mail");
    InboundContact c = hub.stored.get(0);
    assertThat(c.content()).isEqualTo(new MessageContent.Text("See the scan."));
    assertThat(c.files()).isEmpty();
    assertThat(c.email().omitted()).singleElement().satisfies(p -> {
      assertThat(p.fileName()).isEqualTo("scan.pdf");
      assertThat(p.reason()).contains("larger than the 1.0 MiB limit");
    });
  }

  @Test
  @DisplayName("a delivery failure report marks our reply failed with the server's reason; an unknown one is set aside")
  void bouncesMarkTheReplyFailed() {
    String ours = "<sb-0b6f2d6e-1c1a-4a57-9d7c-3f0a8e6b1c22@example.com>";
    hub.sentByHub.add(ours);
    mail.deliver(MailServer.dsn("<dsn1@mx.example>", ours, "nora@customer.example", "550 5.1.1 <nora@customer.example>: user unknown"));
    mail.deliver(MailServer.dsn("<dsn2@mx.example>", "<someone-else@spam.example>", "x@y.example", "550 no such user"));
    adapter(mail.settings(Map.of(), Map.of()));
    awaitUntil(() -> hub.updates.size() == 1 && hub.quarantined.size() == 1, 10, "the report applied and the stray one set aside");
    FakeHub.Update u = hub.updates.get(0);
    assertThat(u.providerMessageId()).isEqualTo(ours);
    assertThat(u.status()).isEqualTo(io.switchboard.hub.api.Message.Status.FAILED);
    assertThat(u.reason()).contains("nora@customer.example").contains("550 5.1.1").contains("user unknown").contains("5.1.1");
    assertThat(hub.stored).as("bounces never become interactions").isEmpty();
    assertThat(hub.quarantined.get(0).reason()).contains("which this hub did not send");
  }

  @Test
  @DisplayName("auto-replies and bulk mail are stored but not routed; a sender looping past the rate limit too; our own echo is skipped")
  void automationAndLoops() {
    mail.deliver("From: Nora <nora@c.example>\nTo: support@example.com\nSubject: Out of office: Re: Invoice\n"
        + "Message-ID: <ooo@c.example>\nAuto-Submitted: auto-replied\n\nI am away.\n");
    mail.deliver("From: news@shop.example\nTo: support@example.com\nSubject: Our offers\nMessage-ID: <bulk@c.example>\n"
        + "Precedence: bulk\nList-Id: <offers.shop.example>\n\nBuy!\n");
    for (int i = 1; i <= 4; i++) {
      mail.deliver(MailServer.plain("<loop" + i + "@c.example>", "robot@c.example", "Ticket " + i, "loop " + i));
    }
    mail.deliver(MailServer.plain("<sb-0b6f2d6e-1c1a-4a57-9d7c-3f0a8e6b1c23@example.com>", MailServer.SUPPORT, "Re: our own", "echo"));
    Map<String, Object> settings = mail.settings(Map.of(), Map.of("rateLimit", Map.of("messages", 3, "window", "10m")));
    adapter(settings);
    awaitUntil(() -> hub.stored.size() == 6, 10, "six stored");
    assertThat(hub.bySubject("Out of office: Re: Invoice").handling())
        .isEqualTo(Handling.storeOnly("auto-reply (Auto-Submitted: auto-replied)"));
    assertThat(hub.bySubject("Out of office: Re: Invoice").metadata()).containsEntry("automated", "auto-reply (Auto-Submitted: auto-replied)");
    assertThat(hub.bySubject("Our offers").handling().route()).isFalse();
    assertThat(hub.bySubject("Our offers").handling().reason()).isEqualTo("bulk mail (Precedence: bulk)");
    assertThat(hub.bySubject("Ticket 3").handling().route()).isTrue();
    assertThat(hub.bySubject("Ticket 4").handling().route()).isFalse();
    assertThat(hub.bySubject("Ticket 4").handling().reason()).contains("more than 3 messages from robot@c.example").contains("mail loop");
    assertThat(hub.subjects()).doesNotContain("Re: our own");
  }

  @Test
  @DisplayName("the first read takes only unseen mail when so configured, then everything new")
  void initialSyncUnseen() throws Exception {
    mail.deliver(MailServer.plain("<old@c.example>", "o@c.example", "Old", "read by a person"));
    mail.deliver(MailServer.plain("<unread@c.example>", "u@c.example", "Unread", "waiting"));
    // A person read the first one in their mail program.
    var store = jakarta.mail.Session.getInstance(new java.util.Properties()).getStore("imap");
    store.connect("127.0.0.1", mail.imapPort(), MailServer.SUPPORT, MailServer.PASSWORD);
    var inbox = store.getFolder("INBOX");
    inbox.open(jakarta.mail.Folder.READ_WRITE);
    inbox.getMessage(1).setFlag(jakarta.mail.Flags.Flag.SEEN, true);
    inbox.close(false);
    store.close();
    Map<String, Object> imap = new HashMap<>(Map.of("initialSync", "unseen"));
    adapter(mail.settings(imap, new LinkedHashMap<>()));
    awaitUntil(() -> hub.stored.size() == 1, 10, "the unread one");
    mail.deliver(MailServer.plain("<new@c.example>", "n@c.example", "New", "after start"));
    awaitUntil(() -> hub.stored.size() == 2, 10, "the new one");
    assertThat(hub.subjects()).containsExactly("Unread", "New");
  }

  @Test
  @DisplayName("a mailbox the server renumbered (new UIDVALIDITY) is read again, and dedupe keeps stored mail single")
  void renumberedMailboxIsReadAgain() {
    mail.deliver(MailServer.plain("<u1@c.example>", "u@c.example", "One", "x"));
    mail.deliver(MailServer.plain("<u2@c.example>", "u@c.example", "Two", "y"));
    // A cursor far ahead, of another numbering: trusting it would skip both mails.
    hub.cursors.advance("support:INBOX", 12345, 999).toCompletionStage().toCompletableFuture().join();
    adapter(mail.settings(Map.of(), Map.of()));
    awaitUntil(() -> hub.stored.size() == 2, 10, "both mails, read again");
    var cursor = hub.cursors.get("support:INBOX").toCompletionStage().toCompletableFuture().join().orElseThrow();
    assertThat(cursor.epoch()).isNotEqualTo(12345);
    awaitUntil(() -> hub.cursors.get("support:INBOX").toCompletionStage().toCompletableFuture().join().orElseThrow().position() == 2,
        10, "the cursor behind both");
  }
}

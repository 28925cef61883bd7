package io.switchboard.benchmarks;

import static io.switchboard.benchmarks.BenchmarkArgs.option;
import static io.switchboard.benchmarks.BenchmarkArgs.intOption;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.switchboard.channel.email.EmailAdapter;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.InteractionControl;
import io.switchboard.hub.api.spi.Quarantine;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.intake.IntakeService;
import io.switchboard.hub.core.messaging.DeliveryRelay;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The email channel's throughput: messages per second from a mailbox of 10,000 into interactions (IMAP read, MIME
 * parse, intake transaction, \Seen flag, cursor), and replies per second through the outbox to SMTP (the delivery
 * relay and the adapter's sender), against a real IMAP/SMTP server (GreenMail, in this JVM) and an embedded
 * PostgreSQL 17. The machine's raw limit is measured in the same run: pgbench (TPC-B-like, 4 clients) against the same
 * PostgreSQL.
 *
 * <p>The mailbox is served by a private Dovecot ({@link PrivateDovecot}) when Debian's {@code dovecot-imapd} is
 * installed, else by GreenMail, whose UID FETCH grows with the square of the folder size (use it for small runs only);
 * {@code --imap greenmail} forces GreenMail. Replies always go to GreenMail's SMTP server.
 *
 * <p>Options: {@code --messages 10000 --replies 1000 --imap dovecot|greenmail --pgbench /usr/bin/pgbench
 * --pgbench-seconds 20}.
 */
public final class EmailBenchmark {
  private EmailBenchmark() {}

  public static void main(String[] args) throws Exception {
    int messages = intOption(args, "--messages", 10_000);
    int replies = intOption(args, "--replies", 1_000);
    String pgbench = option(args, "--pgbench", "/usr/bin/pgbench");
    int pgbenchSeconds = intOption(args, "--pgbench-seconds", 20);
    boolean dovecot = option(args, "--imap", PrivateDovecot.installed() ? "dovecot" : "greenmail").equals("dovecot");

    Vertx vertx = Vertx.vertx();
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.startThrowaway();
    // Stopped on Ctrl-C too, not only at the end of a finished run.
    Thread stopPg = new Thread(pg::close, "stop-embedded-postgres");
    Runtime.getRuntime().addShutdownHook(stopPg);
    GreenMail mail = new GreenMail(new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort()});
    mail.start();
    PrivateDovecot imapServer = dovecot ? PrivateDovecot.start("support@bench.example", "pw") : null;
    Thread stopDovecot = new Thread(() -> {
      if (imapServer != null) {
        imapServer.close();
      }
    }, "stop-dovecot");
    Runtime.getRuntime().addShutdownHook(stopDovecot);
    Database db = null;
    EmailAdapter adapter = null;
    try {
      PgBench.createDatabase(pg, "bench");
      db = Database.connect(vertx, pg.url("bench"), null, 16);
      Migrations.apply(db.options());
      Stores stores = Stores.over(db);

      String raw = PgBench.run(pgbench, pg, pgbenchSeconds);

      GreenMailUser support = mail.setUser("support@bench.example", "support@bench.example", "pw");
      Session session = Session.getInstance(new Properties());
      long filling = System.nanoTime();
      int imapPort;
      if (imapServer != null) {
        imapPort = imapServer.port();
        fillOverImap(session, imapPort, messages);
      } else {
        imapPort = mail.getImap().getPort();
        for (int i = 0; i < messages; i++) {
          support.deliver(new MimeMessage(session, new ByteArrayInputStream(mail(i).getBytes(StandardCharsets.UTF_8))));
        }
      }
      System.out.printf("%s mailbox filled with %,d messages in %.1f s%n", imapServer != null ? "Dovecot" : "GreenMail", messages,
          (System.nanoTime() - filling) / 1e9);

      IntakeService intake = new IntakeService(vertx, stores, new IdentityNormalizer("DE"));
      Map<String, Object> settings = Map.of("mailboxes", List.of(Map.of("name", "support", "address", "support@bench.example",
              // Stored mail is moved out, so the inbox shrinks as it is read; GreenMail answers a UID FETCH in time
              // that grows with the square of the folder's size, hence the long timeout.
              "imap", Map.of("host", "127.0.0.1", "port", imapPort, "tls", "none", "initialSync", "all",
                  "batchSize", 100, "pollInterval", "1s", "afterStore", "move", "moveTo", "Done", "timeout", "300s"),
              "smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "tls", "none", "auth", false,
                  "connections", 8))),
          "rateLimit", Map.of("messages", 100_000, "window", "1m"));
      adapter = new EmailAdapter();
      long readStart = System.nanoTime();
      await(adapter.start(context(vertx, stores, intake, settings)));
      long stored = 0;
      while (stored < messages) {
        Thread.sleep(200);
        stored = count(pg, "SELECT count(*) FROM messages WHERE direction = 'inbound'");
        if (System.nanoTime() - readStart > TimeUnit.MINUTES.toNanos(30)) {
          throw new IllegalStateException("only " + stored + " of " + messages + " stored after 30 minutes");
        }
      }
      double readSeconds = (System.nanoTime() - readStart) / 1e9;
      long interactions = count(pg, "SELECT count(*) FROM interactions");
      System.out.printf("intake: %,d messages into %,d interactions in %.1f s = %.0f messages/s%n", stored, interactions,
          readSeconds, stored / readSeconds);

      // Replies through the outbox: one per interaction, delivered by the relay through the adapter's SMTP sender.
      List<InteractionId> ids = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password());
          ResultSet rs = c.createStatement().executeQuery("SELECT id, conversation_id FROM interactions LIMIT " + replies)) {
        while (rs.next()) {
          ids.add(new InteractionId(UUID.fromString(rs.getString(1))));
          queueReply(stores, UUID.fromString(rs.getString(1)), UUID.fromString(rs.getString(2)));
        }
      }
      EmailAdapter sender = adapter;
      long sendStart = System.nanoTime();
      await(vertx.deployVerticle(new DeliveryRelay(stores, (channel, recipient) -> Optional.of(sender), Duration.ofMillis(100))));
      DeliveryRelay.wake(vertx);
      long sent = 0;
      while (sent < ids.size()) {
        Thread.sleep(100);
        sent = count(pg, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND status <> 'queued'");
        if (System.nanoTime() - sendStart > TimeUnit.MINUTES.toNanos(30)) {
          throw new IllegalStateException("only " + sent + " of " + ids.size() + " replies done after 30 minutes");
        }
      }
      double sendSeconds = (System.nanoTime() - sendStart) / 1e9;
      long failed = count(pg, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND status = 'failed'");
      System.out.printf("delivery: %,d replies (%d failed) through the outbox to SMTP in %.1f s = %.0f replies/s%n", sent, failed,
          sendSeconds, sent / sendSeconds);
      System.out.println("raw limit: " + raw);
    } finally {
      if (adapter != null) {
        await(adapter.stop());
      }
      // Vert.x first (the delivery relay stops), then the pool, the servers and PostgreSQL.
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (db != null) {
        db.close();
      }
      mail.stop();
      if (imapServer != null) {
        imapServer.close();
      }
      pg.close();
      Runtime.getRuntime().removeShutdownHook(stopPg);
      Runtime.getRuntime().removeShutdownHook(stopDovecot);
    }
  }

  /** Appends the mails to INBOX over IMAP (MULTIAPPEND in batches of 500) and creates the folder stored mail moves to. */
  private static void fillOverImap(Session session, int port, int messages) throws Exception {
    jakarta.mail.Store store = session.getStore("imap");
    store.connect("127.0.0.1", port, "support@bench.example", "pw");
    try {
      jakarta.mail.Folder done = store.getFolder("Done");
      if (!done.exists()) {
        done.create(jakarta.mail.Folder.HOLDS_MESSAGES);
      }
      jakarta.mail.Folder inbox = store.getFolder("INBOX");
      List<jakarta.mail.Message> batch = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        batch.add(new MimeMessage(session, new ByteArrayInputStream(mail(i).getBytes(StandardCharsets.UTF_8))));
        if (batch.size() == 500 || i == messages - 1) {
          inbox.appendMessages(batch.toArray(jakarta.mail.Message[]::new));
          batch.clear();
        }
      }
    } finally {
      store.close();
    }
  }

  /** A plain customer mail: a few lines of text, a quote, a distinct sender per 10 messages. */
  private static String mail(int i) {
    return ("From: Customer " + (i / 10) + " <c" + (i / 10) + "@customers.example>\r\nTo: support@bench.example\r\n"
        + "Subject: Order " + i + "\r\nMessage-ID: <bench-" + i + "@customers.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "Hello, my order " + i + " has not arrived yet.\r\nCan you tell me where it is?\r\n\r\nThanks\r\n\r\n"
        + "On Sun, Support wrote:\r\n> Your order is on its way.\r\n");
  }

  /** An agent's reply queued in the outbox, as MessageService stores one (the benchmark skips the agent and the checks). */
  private static void queueReply(Stores stores, UUID interaction, UUID conversation) {
    Message m = new Message(MessageId.random(), new io.switchboard.hub.api.ConversationId(conversation), new InteractionId(interaction),
        Channel.EMAIL, null, Message.Direction.OUTBOUND, null, null, (AgentId) null, "Re: your order",
        new MessageContent.Text("Hello,\n\nyour parcel left our warehouse yesterday.\n\nRegards"), false, Message.Status.QUEUED, null,
        Instant.now(), new EmailEnvelope(null, List.of(), List.of(), null, List.of()), List.of());
    await(stores.db().inTransaction(tx -> stores.messages().insert(tx, m)
        .compose(x -> stores.outbox().append(tx, MessageService.DELIVERY_TOPIC, new JsonObject().put("messageId", m.id().toString())))));
  }

  private static ChannelContext context(Vertx vertx, Stores stores, InboundSink intake, Map<String, Object> settings) {
    return new ChannelContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public InboundSink inbound() {
        return intake;
      }

      @Override
      public Map<String, Object> settings() {
        return settings;
      }

      @Override
      public String secret(String name) {
        return "SUPPORT_PASSWORD".equals(name) ? "pw" : null;
      }

      @Override
      public ChannelHttp http() {
        throw new UnsupportedOperationException();
      }

      @Override
      public DeliverySink deliveries() {
        return (channel, id, status, reason) -> stores.messages().updateStatus(stores.db().pool(), channel, id, status, reason)
            .map(Optional::isPresent);
      }

      @Override
      public ConversationReader conversations() {
        throw new UnsupportedOperationException();
      }

      @Override
      public InteractionControl interactions() {
        return (i, r) -> Future.succeededFuture(false);
      }

      @Override
      public ChannelCursors cursors() {
        return new ChannelCursors() {
          @Override
          public Future<Optional<Cursor>> get(String source) {
            return stores.cursors().get(stores.db().pool(), "email", source);
          }

          @Override
          public Future<Cursor> advance(String source, long epoch, long position) {
            return stores.cursors().advance(stores.db().pool(), "email", source, epoch, position);
          }
        };
      }

      @Override
      public Quarantine quarantine() {
        return item -> stores.quarantine().insert(stores.db().pool(), item);
      }
    };
  }

  private static String jdbc(EmbeddedPostgresServer pg) {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/bench";
  }

  private static long count(EmbeddedPostgresServer pg, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.switchboard.channel.email;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.api.spi.SendReadiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Support mailboxes as a channel: each configured mailbox is read over IMAP ({@link MailboxReader}: IDLE with a
 * polling fallback, one node at a time, its position kept by the hub) and answered over SMTP ({@link SmtpSender}).
 * Settings: {@code channels.email} ({@link EmailSettings}, docs/email.md); passwords from the environment only.
 *
 * <p>Inbound mail becomes an {@link io.switchboard.hub.api.InboundContact} with the attributes {@code mailbox} (its
 * name), the mailbox's own attributes and, for automated mail, {@code automated} (the reason). A reply goes out from
 * the mailbox named by the interaction's {@code mailbox} attribute, or from the default mailbox. The adapter also
 * gives the hub its {@link MailSender} (chat transcripts).
 *
 * <p>Threading: IMAP and SMTP block, so readers run on their own virtual threads and each send on a virtual thread;
 * futures complete on the caller's Vert.x context.
 */
public final class EmailAdapter implements ChannelAdapter {
  private static final Logger log = LoggerFactory.getLogger(EmailAdapter.class);

  private final List<MailboxReader> readers = new ArrayList<>();
  private final Map<String, SmtpSender> senders = new LinkedHashMap<>();
  private EmailSettings settings = EmailSettings.defaults();
  private ExecutorService blocking;
  private ChannelContext context;
  private final String holder = UUID.randomUUID().toString();

  @Override
  public String name() {
    return "email";
  }

  @Override
  public Channel channel() {
    return Channel.EMAIL;
  }

  @Override
  public Kind kind() {
    return Kind.MESSAGE;
  }

  @Override
  public Future<Void> start(ChannelContext context) {
    this.context = context;
    try {
      settings = EmailSettings.parse(context.settings());
      Map<String, String[]> passwords = new LinkedHashMap<>();
      for (EmailSettings.Mailbox m : settings.mailboxes()) {
        passwords.put(m.name(), new String[] {
            password(context, m, "IMAP", m.imap() != null),
            password(context, m, "SMTP", m.smtp() != null && m.smtp().auth())});
      }
      blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("email-send-", 0).factory());
      MimeParser parser = new MimeParser(settings.limits());
      InboundMail inbound = new InboundMail(settings);
      for (EmailSettings.Mailbox m : settings.mailboxes()) {
        String[] pw = passwords.get(m.name());
        if (m.smtp() != null) {
          senders.put(m.name(), new SmtpSender(m, pw[1], pw[0]));
        }
        if (m.imap() != null) {
          readers.add(new MailboxReader(settings, m, pw[0], context, parser, inbound, holder));
        }
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    readers.forEach(MailboxReader::start);
    log.atInfo().addKeyValue("mailboxes", settings.mailboxes().stream().map(EmailSettings.Mailbox::name).toList())
        .addKeyValue("reading", readers.size()).addKeyValue("sending", senders.keySet())
        .log(settings.mailboxes().isEmpty() ? "email adapter started without mailboxes (channels.email.mailboxes)" : "email adapter started");
    return Future.succeededFuture();
  }

  /** The mailbox's password from the environment; required when the mailbox reads (IMAP) or logs in to SMTP. */
  private static String password(ChannelContext context, EmailSettings.Mailbox m, String protocol, boolean required) {
    String base = m.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    String specific = context.secret(base + "_" + protocol + "_PASSWORD");
    String shared = context.secret(base + "_PASSWORD");
    String pw = specific != null ? specific : shared;
    if (pw == null && required) {
      throw new IllegalArgumentException(EmailSettings.PREFIX + "mailboxes[" + m.name() + "]." + protocol.toLowerCase(Locale.ROOT)
          + ": no password: set SWITCHBOARD_EMAIL_" + base + "_PASSWORD (or SWITCHBOARD_EMAIL_" + base + "_" + protocol
          + "_PASSWORD) in the environment" + (protocol.equals("SMTP") ? ", or smtp.auth: false for a relay without login" : ""));
    }
    return pw;
  }

  @Override
  public Future<Void> stop() {
    List<MailboxReader> all = List.copyOf(readers);
    readers.clear();
    if (all.isEmpty() && senders.isEmpty()) {
      return Future.succeededFuture();
    }
    return context.vertx().executeBlocking(() -> {
      all.forEach(MailboxReader::stop);
      senders.values().forEach(SmtpSender::close);
      if (blocking != null) {
        blocking.shutdown();
      }
      return null;
    }, false);
  }

  /** The mailbox a reply in an interaction with these attributes goes out from. */
  private EmailSettings.Mailbox mailboxFor(Map<String, String> attributes) {
    String name = attributes == null ? null : attributes.get("mailbox");
    EmailSettings.Mailbox m = name == null ? null : settings.mailbox(name);
    return m != null ? m : settings.defaultMailbox();
  }

  @Override
  public SendReadiness sendReadiness(Map<String, String> attributes) {
    EmailSettings.Mailbox m = mailboxFor(attributes);
    return readiness(m);
  }

  private SendReadiness readiness(EmailSettings.Mailbox m) {
    if (m == null) {
      return SendReadiness.unavailable("no mailbox is set up for email on this hub (channels.email.mailboxes)");
    }
    SmtpSender sender = senders.get(m.name());
    if (sender == null) {
      return SendReadiness.unavailable("the mailbox " + m.address() + " only receives: it has no SMTP server to send from");
    }
    return sender.readiness();
  }

  @Override
  public Future<DeliveryResult> send(OutboundMessage message) {
    EmailSettings.Mailbox m = mailboxFor(message.attributes());
    SendReadiness ready = readiness(m);
    if (!ready.canSend()) {
      return Future.succeededFuture(new DeliveryResult.Failed(ready.reason(), false));
    }
    SmtpSender sender = senders.get(m.name());
    return offThread(() -> sender.send(message));
  }

  @Override
  public MailSender mailSender() {
    return new MailSender() {
      @Override
      public SendReadiness readiness(String mailbox) {
        EmailSettings.Mailbox m = mailbox == null ? settings.defaultMailbox() : settings.mailbox(mailbox);
        if (mailbox != null && m == null) {
          return SendReadiness.unavailable("no mailbox named '" + mailbox + "' is set up (channels.email.mailboxes)");
        }
        return EmailAdapter.this.readiness(m);
      }

      @Override
      public Future<String> send(SystemEmail email) {
        SendReadiness ready = readiness(email.mailbox());
        if (!ready.canSend()) {
          return Future.failedFuture(new IllegalStateException(ready.reason()));
        }
        EmailSettings.Mailbox m = email.mailbox() == null ? settings.defaultMailbox() : settings.mailbox(email.mailbox());
        SmtpSender sender = senders.get(m.name());
        return offThread(() -> sender.sendSystem(email.to(), email.subject(), email.text(), UUID.randomUUID().toString()))
            .compose(r -> switch (r) {
              case DeliveryResult.Delivered d -> Future.succeededFuture(d.providerMessageId());
              case DeliveryResult.Failed f -> Future.failedFuture(new IllegalStateException(f.reason()));
            });
      }
    };
  }

  private <T> Future<T> offThread(Supplier<T> work) {
    Context ctx = context.vertx().getOrCreateContext();
    if (blocking == null || blocking.isShutdown()) {
      return Future.failedFuture(new IllegalStateException("the email adapter is stopped"));
    }
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(work, blocking), ctx);
  }

  /** For tests: whether this node reads the mailbox of that name now. */
  boolean reads(String mailbox) {
    return readers.stream().anyMatch(r -> r.mailboxName().equals(mailbox) && r.holdsLease()
        && r.state().matches("reading|idle|polling"));
  }
}

package io.switchboard.channel.email;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.Message.Status;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.api.spi.Quarantine;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.FlagTerm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one mailbox into the hub, on one node at a time.
 *
 * <p><b>Lease.</b> The node that holds the lease {@code mailbox:<name>} reads; it renews it every third of the lease
 * time and stops reading as soon as a renewal fails. Other nodes try to take it at the same rhythm, so one takes
 * over within a lease time after the reader dies.
 *
 * <p><b>Position.</b> The mailbox's UIDVALIDITY and the last UID taken in are kept by the hub
 * ({@link ChannelContext#cursors()}, PostgreSQL). Messages are read in UID order in batches; once a batch is stored
 * (or set aside, or recognised as a duplicate) it is flagged \Seen or moved, and then the cursor moves past it. A
 * restart, a dropped connection or a takeover starts after the cursor, so nothing is missed; a message stored but not
 * yet behind the cursor is read again and the hub's Message-ID dedupe recognises it, so nothing is doubled. When the
 * server renumbers the mailbox (a new UIDVALIDITY) it is read again by the {@code initialSync} rule.
 *
 * <p><b>Waiting.</b> With IMAP IDLE (when the server has it and {@code idle} is on) the reader waits for the server's
 * notice; every {@code pollInterval} a NOOP ends the IDLE and the folder is read again anyway (a fallback for notices
 * lost on a half-dead connection). Without IDLE it reads every {@code pollInterval}.
 *
 * <p><b>Failures.</b> A lost connection, a server that is away, or a hub that cannot store (PostgreSQL down) ends the
 * session: the reader waits (1 s, doubling to 5 min by default) and connects again. A message that cannot be parsed,
 * or that the hub refuses, is set aside in the quarantine with the reason and never blocks the mailbox.
 *
 * <p><b>Threads.</b> One virtual thread per mailbox does all IMAP work; the lease is renewed from Vert.x timers.
 *
 * <p>Size (over 400 lines, #15): one IMAP session's loop. Lease, cursor, batch storage and the wait (IDLE or poll)
 * share the one connection and the one virtual thread, and their order is the correctness argument above (flag, then
 * move the cursor); MIME parsing ({@link MimeParser}), automation ({@link InboundMail}) and sending ({@link
 * SmtpSender}) are already classes of their own.
 */
final class MailboxReader {
  private static final Logger log = LoggerFactory.getLogger(MailboxReader.class);
  private static final Duration HUB_TIMEOUT = Duration.ofSeconds(60);

  private final EmailSettings settings;
  private final EmailSettings.Mailbox mailbox;
  private final EmailSettings.Imap imap;
  private final String password;
  private final ChannelContext context;
  private final MimeParser parser;
  private final InboundMail inbound;
  private final String holder;
  private final String leaseName;
  private final Session session;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  private volatile boolean running;
  private volatile boolean held;
  private volatile IMAPFolder current;
  private volatile String state = "starting";
  /** How many messages the folder held when the last read of it began (the reader thread's own). */
  private int countAtSync;
  private Thread thread;
  private long leaseTimer = -1;

  MailboxReader(EmailSettings settings, EmailSettings.Mailbox mailbox, String password, ChannelContext context,
      MimeParser parser, InboundMail inbound, String holder) {
    this.settings = settings;
    this.mailbox = mailbox;
    this.imap = mailbox.imap();
    this.password = password;
    this.context = context;
    this.parser = parser;
    this.inbound = inbound;
    this.holder = holder;
    this.leaseName = "mailbox:" + mailbox.name();
    this.session = Session.getInstance(properties(mailbox));
  }

  /** Starts taking the lease and reading. */
  void start() {
    running = true;
    long every = Math.max(100, settings.lease().toMillis() / 3);
    leaseTimer = context.vertx().setPeriodic(0, every, id -> renewLease());
    thread = Thread.ofVirtual().name("email-reader-" + mailbox.name()).start(this::run);
  }

  /** Stops reading, gives the lease up, and waits a little for the reader to finish. */
  void stop() {
    running = false;
    if (leaseTimer >= 0) {
      context.vertx().cancelTimer(leaseTimer);
    }
    signal();
    interruptWait();
    if (thread != null) {
      try {
        if (!thread.join(Duration.ofSeconds(5))) {
          thread.interrupt();
          closeQuietly(current);
          thread.join(Duration.ofSeconds(5));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      await(context.leases().release(leaseName, holder));
    } catch (HubUnavailable e) {
      log.atWarn().addKeyValue("mailbox", mailbox.name()).log("could not give the mailbox's lease up; it runs out by itself");
    }
  }

  String mailboxName() {
    return mailbox.name();
  }

  /** Whether this node holds the mailbox's lease. */
  boolean holdsLease() {
    return held;
  }

  /** What the reader is doing (for logs and tests): "standby", "reading", "idle", "waiting (reason)". */
  String state() {
    return state;
  }

  private void renewLease() {
    if (!running) {
      return;
    }
    context.leases().acquire(leaseName, holder, settings.lease()).onComplete(ar -> {
      boolean now = ar.succeeded() && ar.result();
      boolean before = held;
      held = now && running;
      if (before != held) {
        log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("holder", holder)
            .log(held ? "took the mailbox's lease: reading it on this node" : "lost the mailbox's lease: another node reads it");
        if (!held) {
          interruptWait();
        }
        signal();
      }
    });
  }

  // ------------------------------------------------------------------ the reader's loop

  private void run() {
    Duration pause = settings.backoff().first();
    while (running) {
      if (!held) {
        state = "standby";
        waitFor(settings.lease());
        continue;
      }
      IMAPStore store = null;
      try {
        state = "connecting";
        store = connectStore(mailbox, password, session);
        IMAPFolder folder = (IMAPFolder) store.getFolder(imap.folder());
        folder.open(Folder.READ_WRITE);
        current = folder;
        boolean idle = imap.idle() && store.hasCapability("IDLE");
        log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("folder", imap.folder()).addKeyValue("idle", idle)
            .log("mailbox connected");
        while (running && held) {
          state = "reading";
          sync(folder);
          pause = settings.backoff().first();
          if (!running || !held) {
            break;
          }
          if (idle) {
            if (arrivedDuringSync(folder)) {
              continue;
            }
            state = "idle";
            idleOnce(folder);
          } else {
            state = "polling";
            waitFor(imap.pollInterval());
          }
        }
      } catch (Exception e) {
        if (!running) {
          break;
        }
        state = "waiting (" + e.getMessage() + ")";
        log.atWarn().addKeyValue("mailbox", mailbox.name()).addKeyValue("retryIn", pause)
            .log("mailbox reading interrupted: " + describe(e));
        closeQuietly(current);
        current = null;
        waitFor(pause);
        pause = pause.multipliedBy(2).compareTo(settings.backoff().max()) > 0 ? settings.backoff().max() : pause.multipliedBy(2);
      } finally {
        closeQuietly(current);
        current = null;
        if (store != null) {
          try {
            store.close();
          } catch (MessagingException | RuntimeException e) {
            // already closed
          }
        }
      }
    }
    state = "stopped";
  }

  /**
   * Whether mail arrived while the folder was being read: a NOOP makes the server report it, and the folder then counts
   * more messages than when the read began. The server tells an IDLE only of what arrives after it started, so without
   * this check a mail delivered during the read would wait for the next {@code pollInterval}.
   */
  private boolean arrivedDuringSync(IMAPFolder folder) throws MessagingException {
    noop(folder);
    return folder.getMessageCount() > countAtSync;
  }

  /**
   * One IDLE: returns when the server tells of a change, when the poll interval has passed (a NOOP from another
   * thread ends it), or when the connection drops (then it throws).
   */
  private void idleOnce(IMAPFolder folder) throws MessagingException {
    Thread watchdog = Thread.ofVirtual().name("email-idle-watch-" + mailbox.name()).start(() -> {
      try {
        Thread.sleep(imap.pollInterval());
        noop(folder);
      } catch (InterruptedException e) {
        // the IDLE ended first
      }
    });
    try {
      folder.idle(true);
    } finally {
      watchdog.interrupt();
    }
  }

  /** Ends a running IDLE (and, on a dead connection, lets the read time out). */
  private static void noop(IMAPFolder folder) {
    try {
      folder.doCommand(p -> {
        p.simpleCommand("NOOP", null);
        return null;
      });
    } catch (MessagingException | RuntimeException e) {
      // the reader sees the broken connection itself
    }
  }

  private void interruptWait() {
    IMAPFolder f = current;
    if (f != null) {
      Thread.ofVirtual().start(() -> noop(f));
    }
  }

  // ------------------------------------------------------------------ reading the folder

  /** Reads everything after the cursor (or what the initial sync takes in), batch by batch. */
  private void sync(IMAPFolder folder) throws MessagingException, HubUnavailable {
    // A NOOP first: the server reports what arrived since the last command (needed when polling without IDLE).
    folder.doCommand(p -> {
      p.simpleCommand("NOOP", null);
      return null;
    });
    countAtSync = folder.getMessageCount();
    long validity = folder.getUIDValidity();
    Optional<ChannelCursors.Cursor> cursor = await(context.cursors().get(source()));
    long last;
    if (cursor.isEmpty() || cursor.get().epoch() != validity) {
      if (cursor.isPresent()) {
        log.atWarn().addKeyValue("mailbox", mailbox.name()).addKeyValue("uidValidity", validity)
            .addKeyValue("was", cursor.get().epoch())
            .log("the server renumbered the mailbox (UIDVALIDITY changed): reading it again by the initialSync rule");
      }
      last = initialSync(folder, validity);
    } else {
      last = cursor.get().position();
    }
    // What existed at SELECT time is walked in UID windows (a mailbox of 10,000 is never fetched in one command);
    // every UID up to UIDNEXT - 1 is assigned already, so an empty window can be passed for good.
    long top = folder.getUIDNext() - 1;
    long window = imap.batchSize() * 10L;
    while (running && held && last < top) {
      long to = Math.min(top, last + window);
      takeIn(folder, validity, folder.getMessagesByUID(last + 1, to), last);
      if (!running || !held) {
        return;
      }
      last = to;
      await(context.cursors().advance(source(), validity, last));
    }
    // Then whatever arrived since, until nothing is new.
    while (running && held) {
      long before = last;
      last = takeIn(folder, validity, folder.getMessagesByUID(last + 1, UIDFolder.MAXUID), last);
      if (last == before) {
        return;
      }
    }
  }

  /** Takes in the messages of {@code found} after {@code last}, batch by batch; returns the last UID taken in. */
  private long takeIn(IMAPFolder folder, long validity, Message[] found, long last) throws MessagingException, HubUnavailable {
    prefetchUids(folder, found);
    List<Message> fresh = new ArrayList<>();
    for (Message m : found) {
      if (m != null && !m.isExpunged() && folder.getUID(m) > last) {
        fresh.add(m);
      }
    }
    for (int i = 0; i < fresh.size() && running && held; i += imap.batchSize()) {
      List<Message> batch = fresh.subList(i, Math.min(fresh.size(), i + imap.batchSize()));
      long upTo = takeIn(folder, batch);
      await(context.cursors().advance(source(), validity, upTo));
      last = upTo;
    }
    return last;
  }

  /** The first read of a mailbox (or after renumbering): returns the UID the cursor now stands at. */
  private long initialSync(IMAPFolder folder, long validity) throws MessagingException, HubUnavailable {
    long top = folder.getUIDNext() - 1;
    if (top < 0) {
      Message[] all = folder.getMessages();
      top = all.length == 0 ? 0 : folder.getUID(all[all.length - 1]);
    }
    switch (imap.initialSync()) {
      case NEW -> {
        // Nothing before now.
      }
      case ALL -> top = 0;
      case UNSEEN -> {
        Message[] unseen = folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
        prefetchUids(folder, unseen);
        List<Message> take = new ArrayList<>();
        for (Message m : unseen) {
          if (folder.getUID(m) <= top) {
            take.add(m);
          }
        }
        take.sort((a, b) -> Long.compare(uid(folder, a), uid(folder, b)));
        for (int i = 0; i < take.size() && running && held; i += imap.batchSize()) {
          takeIn(folder, take.subList(i, Math.min(take.size(), i + imap.batchSize())));
        }
        if (!running || !held) {
          throw new HubUnavailable("stopped during the first read", null);
        }
      }
      default -> throw new IllegalStateException();
    }
    await(context.cursors().advance(source(), validity, top));
    log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("uidValidity", validity).addKeyValue("from", top)
        .addKeyValue("initialSync", imap.initialSync()).log("mailbox cursor set");
    return top;
  }

  /**
   * Takes a batch in: every message parsed and handed to the hub (contacts to the intake, bounces to the delivery
   * status, the unreadable to the quarantine), the hub's answers awaited, then the stored ones flagged or moved.
   *
   * @return the UID of the last message of the batch
   * @throws HubUnavailable when the hub could not store one (the messages before it are done)
   */
  private long takeIn(IMAPFolder folder, List<Message> batch) throws MessagingException, HubUnavailable {
    FetchProfile profile = new FetchProfile();
    profile.add(UIDFolder.FetchProfileItem.UID);
    profile.add(FetchProfile.Item.ENVELOPE);
    profile.add(FetchProfile.Item.FLAGS);
    profile.add(IMAPFolder.FetchProfileItem.SIZE);
    folder.fetch(batch.toArray(Message[]::new), profile);
    Map<Message, Future<?>> pending = new LinkedHashMap<>();
    for (Message m : batch) {
      pending.put(m, handOver(folder, (MimeMessage) m));
    }
    List<Message> done = new ArrayList<>();
    HubUnavailable failure = null;
    for (var e : pending.entrySet()) {
      try {
        await(e.getValue());
        done.add(e.getKey());
      } catch (HubUnavailable u) {
        failure = u;
        break;
      }
    }
    if (!done.isEmpty()) {
      afterStore(folder, done);
    }
    if (failure != null) {
      long upTo = done.isEmpty() ? -1 : uid(folder, done.get(done.size() - 1));
      if (upTo > 0) {
        await(context.cursors().advance(source(), folder.getUIDValidity(), upTo));
      }
      throw failure;
    }
    return uid(folder, batch.get(batch.size() - 1));
  }

  /** Parses one message and hands it to the hub; the future fails only when the hub could not store it. */
  private Future<?> handOver(IMAPFolder folder, MimeMessage m) throws MessagingException {
    long uid = folder.getUID(m);
    Instant received = m.getReceivedDate() == null ? Instant.now() : m.getReceivedDate().toInstant();
    long size = Math.max(0, m.getSize());
    byte[] raw = null;
    ParsedEmail parsed;
    try {
      if (size > settings.limits().maxMessageBytes()) {
        parsed = parser.parse(m, size, false, null);
      } else {
        raw = rawBytes(m);
        parsed = parser.parse(session, raw);
      }
    } catch (MimeParser.Unparseable e) {
      if (raw == null) {
        raw = headersOnly(m);
      }
      return quarantine(uid, raw, "could not be read: " + e.getMessage(), received);
    }
    InboundMail.Outcome outcome = inbound.classify(parsed, mailbox, received);
    return switch (outcome) {
      case InboundMail.Echo echo -> {
        log.atDebug().addKeyValue("mailbox", mailbox.name()).addKeyValue("messageId", echo.messageId())
            .log("a copy of our own reply: skipped");
        yield Future.succeededFuture();
      }
      case InboundMail.Report r -> report(uid, r.report(), parsed, raw, received);
      case InboundMail.Contact c -> context.inbound().accept(c.contact()).map((IntakeResult x) -> (Object) x).recover(err -> {
        if (err instanceof ValidationException v) {
          byte[] bytes = rawOrHeaders(m, parsed);
          return quarantine(uid, bytes, "the hub refused it: " + v.getMessage(), received);
        }
        return Future.failedFuture(err);
      });
    };
  }

  private Future<?> report(long uid, DeliveryReports.Report report, ParsedEmail parsed, byte[] raw, Instant received) {
    if (!report.failed()) {
      log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("originalMessageId", report.originalMessageId())
          .log("delivery report without a failure (delayed or relayed): nothing to do");
      return Future.succeededFuture();
    }
    if (report.originalMessageId() == null) {
      return quarantine(uid, raw == null ? rawOrHeaders(parsed.message(), parsed) : raw,
          "a delivery failure report that names no message: " + report.reason(), received);
    }
    return context.deliveries().update(Channel.EMAIL, report.originalMessageId(), Status.FAILED, report.reason())
        .compose(updated -> {
          if (updated) {
            log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("messageId", report.originalMessageId())
                .log("a reply bounced: marked failed (" + report.reason() + ")");
            return Future.succeededFuture();
          }
          return quarantine(uid, raw == null ? rawOrHeaders(parsed.message(), parsed) : raw,
              "a delivery failure report for " + report.originalMessageId() + ", which this hub did not send (or which had failed already): "
                  + report.reason(), received);
        });
  }

  private Future<Object> quarantine(long uid, byte[] raw, String reason, Instant received) {
    Map<String, String> facts = new LinkedHashMap<>();
    try {
      InternetHeaders h = new InternetHeaders(new ByteArrayInputStream(raw));
      for (String name : new String[] {"From", "To", "Subject", "Date", "Message-ID"}) {
        String v = h.getHeader(name, ", ");
        if (v != null) {
          String clean = MimeParser.clean(jakarta.mail.internet.MimeUtility.unfold(v));
          facts.put(name, clean.length() > 500 ? clean.substring(0, 500) : clean);
        }
      }
    } catch (MessagingException | RuntimeException e) {
      // no readable headers: the reason says enough
    }
    facts.put("uid", Long.toString(uid));
    String reference = mailbox.name() + ":" + MimeParser.sha256(raw);
    log.atWarn().addKeyValue("mailbox", mailbox.name()).addKeyValue("uid", uid).log("message set aside: " + reason);
    return context.quarantine().store(new Quarantine.Item(Channel.EMAIL, "mailbox " + mailbox.name(), reference,
        reason.length() > 2000 ? reason.substring(0, 2000) : reason, Buffer.buffer(raw), "message/rfc822", facts, received))
        .map(stored -> (Object) stored);
  }

  /** Flags the stored messages \Seen, or moves them, in one command. */
  private void afterStore(IMAPFolder folder, List<Message> done) throws MessagingException {
    Message[] msgs = done.toArray(Message[]::new);
    if (imap.afterStore() == EmailSettings.AfterStore.SEEN) {
      folder.setFlags(msgs, new Flags(Flags.Flag.SEEN), true);
      return;
    }
    Folder target = folder.getStore().getFolder(imap.moveTo());
    if (!target.exists()) {
      target.create(Folder.HOLDS_MESSAGES);
    }
    // COPY, \Deleted and EXPUNGE rather than MOVE: every server reports the expunge to the client, so the folder's
    // numbering stays in step (some servers answer MOVE without EXPUNGE responses).
    folder.copyMessages(msgs, target);
    folder.setFlags(msgs, new Flags(Flags.Flag.DELETED), true);
    if (((IMAPStore) folder.getStore()).hasCapability("UIDPLUS")) {
      folder.expunge(msgs);
    } else {
      folder.expunge();
    }
  }

  // ------------------------------------------------------------------ helpers

  private String source() {
    return mailbox.name() + ":" + imap.folder();
  }

  private byte[] rawBytes(MimeMessage m) throws MessagingException {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(m.getSize(), 1024), 1 << 20));
      m.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new MessagingException("could not download the message: " + e.getMessage(), e);
    }
  }

  private static byte[] headersOnly(MimeMessage m) {
    try {
      StringBuilder out = new StringBuilder();
      for (var it = m.getAllHeaderLines(); it.hasMoreElements();) {
        out.append(it.nextElement()).append("\r\n");
      }
      out.append("\r\n[the body was not kept: the message is larger than the limit]\r\n");
      return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (MessagingException e) {
      return "[the message could not be read at all]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private byte[] rawOrHeaders(MimeMessage m, ParsedEmail parsed) {
    try {
      if (Math.max(0, m.getSize()) <= settings.limits().maxMessageBytes()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
      }
    } catch (MessagingException | IOException e) {
      // fall back to the headers
    }
    return headersOnly(m);
  }

  private static void prefetchUids(IMAPFolder folder, Message[] msgs) throws MessagingException {
    FetchProfile p = new FetchProfile();
    p.add(UIDFolder.FetchProfileItem.UID);
    folder.fetch(Arrays.stream(msgs).filter(x -> x != null).toArray(Message[]::new), p);
  }

  private static long uid(IMAPFolder folder, Message m) {
    try {
      return folder.getUID(m);
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void waitFor(Duration d) {
    lock.lock();
    try {
      changed.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The hub could not take something in (its store is down): the session ends and is tried again later. */
  static final class HubUnavailable extends Exception {
    HubUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static <T> T await(Future<T> f) throws HubUnavailable {
    try {
      return f.toCompletionStage().toCompletableFuture().get(HUB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new HubUnavailable("the hub could not store it: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new HubUnavailable("the hub did not answer within " + HUB_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubUnavailable("interrupted", e);
    }
  }

  private static String describe(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage()
        + (root != e ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "");
  }

  private static void closeQuietly(Folder f) {
    if (f != null && f.isOpen()) {
      try {
        f.close(false);
      } catch (MessagingException | RuntimeException e) {
        // already closed
      }
    }
  }

  /** Connects to the mailbox's IMAP server (for reading, and for appending sent copies). */
  static IMAPStore connectStore(EmailSettings.Mailbox m, String password) throws MessagingException {
    return connectStore(m, password, Session.getInstance(properties(m)));
  }

  private static IMAPStore connectStore(EmailSettings.Mailbox m, String password, Session session) throws MessagingException {
    EmailSettings.Imap i = m.imap();
    IMAPStore store = (IMAPStore) session.getStore(i.tls() == EmailSettings.Tls.SSL ? "imaps" : "imap");
    store.connect(i.host(), i.port(), i.username(), password);
    return store;
  }

  static Properties properties(EmailSettings.Mailbox m) {
    EmailSettings.Imap i = m.imap();
    Properties p = MimeParser.lenientProperties();
    String proto = i.tls() == EmailSettings.Tls.SSL ? "imaps" : "imap";
    String ms = String.valueOf(i.timeout().toMillis());
    p.put("mail.store.protocol", proto);
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    // Reading a message must not flag it \Seen: that is done once it is stored.
    p.put("mail." + proto + ".peek", "true");
    p.put("mail." + proto + ".partialfetch", "true");
    p.put("mail." + proto + ".fetchsize", String.valueOf(1 << 20));
    if (i.tls() == EmailSettings.Tls.STARTTLS) {
      p.put("mail.imap.starttls.enable", "true");
      p.put("mail.imap.starttls.required", "true");
    }
    if (i.tls() != EmailSettings.Tls.NONE) {
      p.put("mail." + proto + ".ssl.checkserveridentity", "true");
    }
    return p;
  }
}

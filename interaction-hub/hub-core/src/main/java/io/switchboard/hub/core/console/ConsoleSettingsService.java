package io.switchboard.hub.core.console;

import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.console.ConsoleSettingsException.Problem;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console settings in force on this node (config/console.yaml), and their reload while the hub runs.
 *
 * <p><b>Lifecycle.</b> {@link #load} reads the file once at start, blocking: a file with problems throws, and
 * the hub does not start. Afterwards {@link #reload} re-reads it on request (an admin) and {@link #poll}
 * re-reads it when its content changed (a timer, see {@link ConsoleSettingsVerticle}). A file with problems is
 * rejected: the settings in force stay, and the rejection (its problems, time and content hash) is kept as
 * {@link #lastRejected} until a good file is applied (or the file is put back as it was). A good file is swapped in atomically, written to the audit
 * log ({@code console-settings.applied}; rejections as {@code console-settings.rejected}) and announced on this
 * node's event bus at {@link #SETTINGS_CHANGED}. A file deleted while the hub runs is a rejection too (the
 * settings in force stay); a hub started without the file uses {@link ConsoleSettings#DEFAULTS} and takes up a
 * file created later.
 *
 * <p><b>Per node.</b> Every hub node reads its own file; console settings are not stored in PostgreSQL (unlike
 * the routing rules), and the change event is not carried to other nodes: each node polls its own file and tells
 * its own consoles. Deploy the same file to every node.
 *
 * <p><b>Threading.</b> {@link #current}, {@link #loaded} and {@link #lastRejected} may be called from any thread
 * and never block. {@link #reload} and {@link #poll} may be called from any Vert.x context: the file is read and
 * parsed on a worker thread, one reload at a time (two never interleave), and the returned future completes on
 * the caller's context. Problems of the file are part of the result, never a failure; an audit entry that
 * cannot be written is logged and does not undo the reload.
 */
public final class ConsoleSettingsService {
  private static final Logger log = LoggerFactory.getLogger(ConsoleSettingsService.class);

  /**
   * Local event bus address published on when new settings are in force on this node (not bridged to other
   * nodes). Body: {@code {sha256, loadedAt, dispositions, cannedResponses}} (the last two are counts).
   */
  public static final String SETTINGS_CHANGED = io.switchboard.hub.api.event.HubEvents.CONSOLE_SETTINGS_CHANGED;

  /** Audit action of settings put in force by a reload. */
  public static final String AUDIT_APPLIED = "console-settings.applied";
  /** Audit action of a file rejected by a reload. */
  public static final String AUDIT_REJECTED = "console-settings.rejected";
  /** Audit entity type; the entity id is the SHA-256 of the file's content ({@code missing} for a deleted file). */
  public static final String AUDIT_ENTITY = "console-settings";

  private static final String MISSING = "missing";

  /**
   * Settings in force and where they came from.
   *
   * @param sha256 SHA-256 (hex) of the file's bytes; null when the defaults are in force (no file at start)
   * @param loadedAt when they were put in force
   * @param by who put them in force (audit name: {@code system:startup}, {@code system:file-watch}, {@code agent:root})
   */
  public record Loaded(ConsoleSettings settings, String sha256, Instant loadedAt, String by) {
    public Loaded {
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(loadedAt, "loadedAt");
      Objects.requireNonNull(by, "by");
    }

    /** Whether they came from the file (not the built-in defaults). */
    public boolean fromFile() {
      return sha256 != null;
    }
  }

  /**
   * A rejected file.
   *
   * @param sha256 SHA-256 (hex) of the rejected content; null when the file was missing or could not be read
   * @param at when it was rejected
   * @param by who asked for the reload
   * @param problems every problem found, each with file, line and key
   */
  public record Rejection(String sha256, Instant at, String by, List<Problem> problems) {
    public Rejection {
      problems = List.copyOf(problems);
    }
  }

  /**
   * What a reload did.
   *
   * @param applied whether the file's settings are in force now (false: rejected, the previous settings stay)
   * @param changed whether the settings in force changed (false when the file was already in force)
   * @param current the settings in force after the reload
   * @param problems only when rejected: every problem
   */
  public record ReloadResult(boolean applied, boolean changed, Loaded current, List<Problem> problems, String message) {
    public ReloadResult {
      problems = List.copyOf(problems);
    }
  }

  /** What one read of the file did, and what to tell the audit log and the consoles. */
  private record Outcome(ReloadResult result, Loaded previous, Rejection rejection) {}

  private final Vertx vertx;
  private final Stores stores;
  private final Path file;
  private final Clock clock;
  private final Object lock = new Object();
  private final AtomicReference<Loaded> current = new AtomicReference<>();
  private volatile Rejection lastRejected;
  /** Guarded by {@link #lock}: the content (hash or marker) the last poll acted on, so it acts once per change. */
  private String lastSeen;
  /** Guarded by {@link #lock}: a bad content seen once by a poll, rejected when the next poll sees it again. */
  private String unconfirmedBad;

  private ConsoleSettingsService(Vertx vertx, Stores stores, Path file, Clock clock, Loaded initial, String seen) {
    this.vertx = vertx;
    this.stores = stores;
    this.file = file;
    this.clock = clock;
    this.current.set(initial);
    this.lastSeen = seen;
  }

  /**
   * Reads {@code file} at start (blocking: call it before serving, never on an event loop). A missing file
   * gives {@link ConsoleSettings#DEFAULTS}.
   *
   * @param stores where reloads are audited
   * @throws ConsoleSettingsException every problem of a bad file (the hub must not start)
   */
  public static ConsoleSettingsService load(Vertx vertx, Stores stores, Path file, Clock clock) throws ConsoleSettingsException {
    Instant now = clock.instant();
    String by = new Principal.System("startup").auditName();
    if (!Files.exists(file)) {
      return new ConsoleSettingsService(vertx, stores, file, clock, new Loaded(ConsoleSettings.DEFAULTS, null, now, by), MISSING);
    }
    byte[] content;
    try {
      content = ConsoleSettingsParser.readLimited(file);
    } catch (IOException e) {
      throw new ConsoleSettingsException(List.of(new Problem(file.toString(), 0, "", "cannot be read: " + e.getMessage())));
    }
    ConsoleSettings settings = ConsoleSettingsParser.parse(file.toString(), content);
    String sha = sha256(content);
    return new ConsoleSettingsService(vertx, stores, file, clock, new Loaded(settings, sha, now, by), sha);
  }

  /** The settings in force now. */
  public ConsoleSettings current() {
    return current.get().settings();
  }

  /** The settings in force now, with their content hash and load time. */
  public Loaded loaded() {
    return current.get();
  }

  /** The last rejected file since the last one applied, or null. */
  public Rejection lastRejected() {
    return lastRejected;
  }

  /** The file this service reads. */
  public Path file() {
    return file;
  }

  /** This node's settings file as it is on disk: its text and SHA-256 (both null when there is no file). */
  public record Source(String text, String sha256) {}

  /** Reads this node's file (on a worker). */
  public Future<Source> source() {
    return vertx.executeBlocking(() -> {
      synchronized (lock) {
        if (!Files.exists(file)) {
          return new Source(null, null);
        }
        byte[] content = ConsoleSettingsParser.readLimited(file);
        return new Source(new String(content, java.nio.charset.StandardCharsets.UTF_8), sha256(content));
      }
    }, false);
  }

  /**
   * An admin writes the settings from the console: {@code text} is checked first (a bad one is answered with its
   * problems, {@code file:line: key: message}, and neither written nor audited as applied), then written to this node's
   * file atomically (a temporary file moved over it) and put in force as a reload would, audited and announced.
   *
   * @param baseSha256 the SHA-256 of the file the admin started from (null when there was none): a file changed since
   *     is a {@link io.switchboard.hub.api.error.ConflictException} and nothing is written
   */
  public Future<ReloadResult> write(String text, String baseSha256, Principal by) {
    byte[] content = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      ConsoleSettingsParser.parse(file.toString(), content);
    } catch (ConsoleSettingsException e) {
      return Future.succeededFuture(new ReloadResult(false, false, current.get(), e.problems(),
          "not saved; the console settings in force stay: " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems")));
    }
    return vertx.executeBlocking(() -> {
      synchronized (lock) {
        String onDisk = Files.exists(file) ? sha256(ConsoleSettingsParser.readLimited(file)) : null;
        if (!Objects.equals(onDisk, baseSha256)) {
          throw new io.switchboard.hub.api.error.ConflictException("the settings file changed since you opened it (now "
              + (onDisk == null ? "gone" : shortSha(onDisk)) + "): open it again, then save");
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".console-", ".yaml.tmp");
        try {
          Files.write(temp, content);
          Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(temp);
        }
        return step(by, false);
      }
    }, false).compose(outcome -> announce(outcome, by)).map(Outcome::result);
  }

  /**
   * Re-reads the file now and puts it in force when it is good; a bad one is rejected (the settings in force
   * stay) and reported in the result. Fails only on an unexpected error inside the hub (the settings in force
   * stay then too).
   *
   * @param by who asked (audited)
   */
  public Future<ReloadResult> reload(Principal by) {
    return read(by, false).map(Outcome::result);
  }

  /**
   * Re-reads the file when its content differs from what the last poll saw (so one change is acted on once).
   * A bad content is rejected only when the next poll still finds it, so a file caught half-written is not
   * reported. Never fails.
   */
  public Future<Void> poll() {
    return read(new Principal.System("file-watch"), true).<Void>mapEmpty().recover(e -> {
      log.atError().setCause(e).addKeyValue("file", file).log("console settings poll failed; the settings in force stay");
      return Future.succeededFuture();
    });
  }

  private Future<Outcome> read(Principal by, boolean polling) {
    return vertx.executeBlocking(() -> {
      synchronized (lock) {
        return step(by, polling);
      }
    }, false).compose(outcome -> outcome == null ? Future.<Outcome>succeededFuture() : announce(outcome, by));
  }

  /** On a worker, under the lock. Null when a poll found nothing to do. */
  private Outcome step(Principal by, boolean polling) {
    Loaded now = current.get();
    if (!Files.exists(file)) {
      if (!now.fromFile()) {
        lastSeen = MISSING;
        return polling ? null : unchanged(now, "no " + file.getFileName() + "; the default settings stay in force");
      }
      return reject(polling, MISSING, null, now, by,
          List.of(new Problem(file.toString(), 0, "", "the file is gone; the settings in force stay (put it back to change them)")));
    }
    byte[] content;
    try {
      content = ConsoleSettingsParser.readLimited(file);
    } catch (IOException e) {
      return reject(polling, "unreadable:" + e.getMessage(), null, now, by,
          List.of(new Problem(file.toString(), 0, "", "cannot be read: " + e.getMessage())));
    }
    String sha = sha256(content);
    if (polling && sha.equals(lastSeen)) {
      unconfirmedBad = null;
      return null;
    }
    if (sha.equals(now.sha256())) {
      lastSeen = sha;
      unconfirmedBad = null;
      lastRejected = null;
      return polling ? null : unchanged(now, "the file is unchanged; its settings are in force");
    }
    ConsoleSettings settings;
    try {
      settings = ConsoleSettingsParser.parse(file.toString(), content);
    } catch (ConsoleSettingsException e) {
      return reject(polling, sha, sha, now, by, e.problems());
    }
    lastSeen = sha;
    unconfirmedBad = null;
    Loaded next = new Loaded(settings, sha, clock.instant(), by.auditName());
    current.set(next);
    lastRejected = null;
    return new Outcome(new ReloadResult(true, true, next, List.of(), "console settings " + shortSha(sha) + " in force"), now, null);
  }

  private Outcome unchanged(Loaded now, String message) {
    return new Outcome(new ReloadResult(true, false, now, List.of(), message), null, null);
  }

  /** A poll rejects a bad content only the second time it sees it; a reload at once. */
  private Outcome reject(boolean polling, String seen, String sha, Loaded now, Principal by, List<Problem> problems) {
    if (polling) {
      if (seen.equals(lastSeen)) {
        return null;
      }
      if (!seen.equals(unconfirmedBad)) {
        unconfirmedBad = seen;
        return null;
      }
    }
    lastSeen = seen;
    unconfirmedBad = null;
    Rejection rejection = new Rejection(sha, clock.instant(), by.auditName(), problems);
    lastRejected = rejection;
    String message = "rejected; the console settings in force stay: " + problems.size() + (problems.size() == 1 ? " problem" : " problems");
    return new Outcome(new ReloadResult(false, false, now, problems, message), null, rejection);
  }

  /** On the caller's context: logs, audits and publishes what a reload did. */
  private Future<Outcome> announce(Outcome outcome, Principal by) {
    ReloadResult r = outcome.result();
    JsonObject details = new JsonObject().put("file", file.toString());
    String action;
    String entity;
    if (outcome.rejection() != null) {
      Rejection rejected = outcome.rejection();
      log.atWarn().addKeyValue("file", file).addKeyValue("problems", rejected.problems().size()).addKeyValue("by", rejected.by())
          .log("console settings rejected; the settings in force stay:\n" + new ConsoleSettingsException(rejected.problems()).getMessage());
      JsonArray problems = new JsonArray();
      rejected.problems().forEach(p -> problems.add(p.toString()));
      details.put("problems", problems);
      action = AUDIT_REJECTED;
      entity = rejected.sha256() == null ? MISSING : rejected.sha256();
    } else if (r.changed()) {
      Loaded in = r.current();
      log.atInfo().addKeyValue("file", file).addKeyValue("sha256", in.sha256()).addKeyValue("by", in.by())
          .addKeyValue("dispositions", in.settings().dispositions().size())
          .addKeyValue("cannedResponses", in.settings().cannedResponses().size()).log("console settings reloaded");
      details.put("previousSha256", outcome.previous() == null ? null : outcome.previous().sha256())
          .put("dispositions", in.settings().dispositions().size())
          .put("cannedResponses", in.settings().cannedResponses().size());
      action = AUDIT_APPLIED;
      entity = in.sha256();
      vertx.eventBus().publish(SETTINGS_CHANGED, new JsonObject().put("sha256", in.sha256()).put("loadedAt", in.loadedAt().toString())
          .put("dispositions", in.settings().dispositions().size()).put("cannedResponses", in.settings().cannedResponses().size()));
    } else {
      return Future.succeededFuture(outcome);
    }
    return stores.audit().append(stores.db().pool(), by.auditName(), action, AUDIT_ENTITY, entity, details)
        .recover(e -> {
          log.atWarn().setCause(e).addKeyValue("action", action).log("could not write the console settings reload to the audit log");
          return Future.succeededFuture();
        })
        .map(outcome);
  }

  private static String shortSha(String sha) {
    return sha.substring(0, 12);
  }

  static String sha256(byte[] content) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

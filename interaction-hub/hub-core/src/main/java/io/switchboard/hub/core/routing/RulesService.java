package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Queue;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.auth.Tokens;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.StoreTransaction;
import io.switchboard.hub.store.Stores;
import io.switchboard.routing.QueueDefinition;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.RulesException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing rules in force, their versions and hot reload.
 *
 * <p>At start the rules file must be valid, or the hub does not start (the exception names file, line and
 * key). Afterwards a changed file (noticed by polling), an admin upload or a rollback is validated first: a
 * bad one keeps the running rules and is reported; a good one is stored as a new version in PostgreSQL,
 * made the active one, and swapped in atomically. Every node polls the active version, so a change made on
 * one node reaches all of them within a poll interval. The queues of the active rules are written to the
 * {@code queues} table.
 */
public final class RulesService {
  private static final Logger log = LoggerFactory.getLogger(RulesService.class);

  /** What a reload did. */
  public record ReloadResult(boolean applied, int version, List<RulesException.Problem> problems, String message) {}

  private final Vertx vertx;
  private final Stores stores;
  private final Path file;
  private final AtomicReference<RoutingRules> current = new AtomicReference<>();
  private volatile String fileSha;
  private volatile ReloadResult lastRejected;

  public RulesService(Vertx vertx, Stores stores, Path file) {
    this.vertx = vertx;
    this.stores = stores;
    this.file = file;
  }

  /** Reads and validates the rules file; throws {@link RulesException} when it is bad (the hub must not start). */
  public RoutingRules checkFile() throws RulesException {
    String text = readFile();
    return RoutingRules.parse(file.toString(), text, 0);
  }

  /** At start: activates the file's rules (as a new version when they differ from the active one). */
  public Future<RoutingRules> start() {
    String text;
    try {
      text = readFile();
      RoutingRules.parse(file.toString(), text, 0);
    } catch (RulesException e) {
      return Future.failedFuture(e);
    }
    fileSha = Tokens.hash(text);
    return activate(text, "file:" + file, new Principal.System("startup"), null).compose(r -> {
      if (!r.applied()) {
        return Future.failedFuture(new IllegalStateException(r.message()));
      }
      return Future.succeededFuture(current.get());
    });
  }

  /** The rules in force now. */
  public RoutingRules current() {
    RoutingRules r = current.get();
    if (r == null) {
      throw new IllegalStateException("routing rules not loaded yet");
    }
    return r;
  }

  /** The last rejected change, if any since the last accepted one. */
  public ReloadResult lastRejected() {
    return lastRejected;
  }

  /** Re-reads the file now (on a worker thread: a slow disk or mount never holds an event loop). */
  public Future<ReloadResult> reloadFile(Principal by) {
    return vertx.executeBlocking(this::readFile, false).compose(text -> {
      fileSha = Tokens.hash(text);
      return apply(text, "file:" + file, by);
    }, e -> e instanceof RulesException bad ? Future.succeededFuture(reject(bad)) : Future.failedFuture(e));
  }

  /** Validates and activates {@code text} (an upload or a file change). */
  public Future<ReloadResult> apply(String text, String origin, Principal by) {
    return apply(text, origin, by, null);
  }

  /**
   * As {@link #apply(String, String, Principal)}, but only while version {@code baseVersion} is the active one (the
   * version the admin's draft started from); otherwise it fails with {@link ConflictException} and nothing changes, so
   * one admin never publishes over a change they have not seen. Null: no such check.
   */
  public Future<ReloadResult> apply(String text, String origin, Principal by, Integer baseVersion) {
    try {
      RoutingRules.parse(origin.startsWith("file:") ? file.toString() : RulesWorkbench.DRAFT_FILE, text, 0);
    } catch (RulesException e) {
      return Future.succeededFuture(reject(e));
    }
    return activate(text, origin, by, baseVersion);
  }

  /** Makes an earlier version active again (as a new version with the same text). */
  public Future<ReloadResult> rollback(int version, Principal by) {
    return stores.routing().version(stores.db().pool(), version).compose(v -> v
        .map(found -> apply(found.sourceText(), "rollback:" + version, by))
        .orElseGet(() -> Future.failedFuture(new NotFoundException("no rules version " + version))));
  }

  public Future<List<RoutingStore.RulesVersion>> versions(int limit) {
    return stores.routing().versions(stores.db().pool(), limit);
  }

  public Future<RoutingStore.RulesVersion> version(int version) {
    return stores.routing().version(stores.db().pool(), version).compose(v -> v
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new NotFoundException("no rules version " + version))));
  }

  /** A line diff between two versions. */
  public Future<List<String>> diff(int from, int to) {
    return version(from).compose(a -> version(to).map(b -> LineDiff.diff(a.sourceText(), b.sourceText())));
  }

  /**
   * Notices a changed file and a version activated by another node. Call periodically from the routing
   * verticle; never fails.
   */
  public Future<Void> poll() {
    Future<Void> fileCheck = vertx.executeBlocking(() -> {
      try {
        return Files.exists(file) ? Tokens.hash(Files.readString(file)) : null;
      } catch (IOException e) {
        return null;
      }
    }).compose(sha -> {
      if (sha == null || sha.equals(fileSha)) {
        return Future.succeededFuture();
      }
      log.atInfo().addKeyValue("file", file).log("routing rules file changed; validating");
      return reloadFile(new Principal.System("file-watch")).mapEmpty();
    });
    return fileCheck
        .compose(x -> stores.routing().activeVersion(stores.db()))
        .compose(active -> {
          RoutingRules now = current.get();
          if (active.isPresent() && (now == null || now.version() != active.get().version())) {
            return stores.routing().version(stores.db().pool(), active.get().version()).map(v -> {
              try {
                RoutingRules read = RoutingRules.parse("version " + v.orElseThrow().version(), v.orElseThrow().sourceText(),
                    v.orElseThrow().version());
                // Only forward: every activation is a new, higher version, so a poll that read the active version just
                // before this node published a newer one must not put the older back (it did, until the next poll, and
                // contacts meanwhile were routed by the rules just replaced: AdminWorkspaceBrowserTest on CI).
                RoutingRules old = current.getAndUpdate(now2 -> now2 == null || now2.version() < read.version() ? read : now2);
                if (old == null || old.version() < read.version()) {
                  log.atInfo().addKeyValue("version", read.version()).log("routing rules in force");
                }
              } catch (RulesException e) {
                log.atError().addKeyValue("version", active.get().version()).log("stored rules version no longer parses: " + e.getMessage());
              }
              return (Void) null;
            });
          }
          return Future.<Void>succeededFuture();
        })
        .recover(e -> {
          log.atWarn().setCause(e).log("routing rules poll failed");
          return Future.succeededFuture();
        });
  }

  private Future<ReloadResult> activate(String text, String origin, Principal by, Integer baseVersion) {
    String sha = Tokens.hash(text);
    return stores.db().transaction(tx -> stores.routing().lockRulesVersions(tx)
        .compose(x -> stores.routing().activeVersion(tx))
        .compose(active -> {
          if (baseVersion != null && active.isPresent() && active.get().version() != baseVersion) {
            return Future.failedFuture(new ConflictException("the running rules are version " + active.get().version()
                + ", not version " + baseVersion + " your draft started from: look at the change, then publish again"));
          }
          if (active.isPresent() && active.get().sha256().equals(sha)) {
            return Future.succeededFuture(active.get().version());
          }
          return stores.routing().insertVersion(tx, text, sha, origin, by.auditName())
              .compose(v -> stores.routing().activate(tx, v)
                  .compose(y -> stores.audit().append(tx, by.auditName(), "routing-rules.activated", "routing-rules",
                      Integer.toString(v), new JsonObject().put("origin", origin)))
                  .map(v));
        })
        .compose(version -> {
          RoutingRules rules;
          try {
            rules = RoutingRules.parse(origin.startsWith("file:") ? file.toString() : origin, text, version);
          } catch (RulesException e) {
            return Future.failedFuture(e);
          }
          return upsertQueues(tx, rules).map(rules);
        }))
        .map(rules -> {
          swap(rules);
          lastRejected = null;
          return new ReloadResult(true, rules.version(), List.of(), "rules version " + rules.version() + " active");
        });
  }

  private Future<Void> upsertQueues(StoreTransaction tx, RoutingRules rules) {
    Future<Void> f = Future.succeededFuture();
    for (QueueDefinition q : rules.queues().values()) {
      f = f.compose(x -> stores.queues().upsert(tx, new Queue(q.id(), q.name(), q.serviceLevelPercent(),
          (int) q.serviceLevelThreshold().toSeconds(), (int) q.maxWait().toSeconds())));
    }
    return f;
  }

  private void swap(RoutingRules rules) {
    RoutingRules old = current.getAndSet(rules);
    if (old == null || old.version() != rules.version()) {
      log.atInfo().addKeyValue("version", rules.version()).log("routing rules in force");
    }
  }

  private ReloadResult reject(RulesException e) {
    ReloadResult r = new ReloadResult(false, current.get() == null ? 0 : current.get().version(), e.problems(),
        "rejected; the running rules stay in force: " + e.getMessage());
    lastRejected = r;
    log.atWarn().addKeyValue("problems", e.problems().size()).log("routing rules rejected: " + e.getMessage());
    return r;
  }

  private String readFile() throws RulesException {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new RulesException(List.of(new RulesException.Problem(file.toString(), 0, "(file)", "cannot be read: " + e.getMessage())));
    }
  }

}

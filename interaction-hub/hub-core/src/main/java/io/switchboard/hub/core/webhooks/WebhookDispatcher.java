package io.switchboard.hub.core.webhooks;

import io.switchboard.hub.core.scheduling.PassRunner;
import io.switchboard.hub.store.AuditStore;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.OutboxStore;
import io.switchboard.hub.store.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhook deliveries (docs/webhooks.md): leases due {@value WebhookStore#TOPIC} outbox entries (no
 * transaction held during the call), POSTs each signed body, and records the outcome in the delivery log. A 2xx
 * answer delivers; anything else (another status, a timeout, a refused connection) is tried again after
 * {@code firstRetry} × 2^(attempt − 1), at most an hour, up to {@code maxAttempts}. A subscription whose attempts
 * failed {@code disableAfter} times in a row is disabled, with an audit entry {@code webhook.disabled}; its
 * remaining deliveries are skipped. Several nodes may run it: leases keep them apart.
 */
public final class WebhookDispatcher extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  public static final String WAKE_ADDRESS = "webhooks.wake";
  private static final int BATCH = 20;

  private final Database db;
  private final WebhookStore store;
  private final OutboxStore outbox;
  private final AuditStore audit;
  private final WebhookSettings settings;
  private final Duration poll;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("webhook pass failed; will retry"));
  private HttpClient http;
  private long timer;

  public WebhookDispatcher(Database db, WebhookStore store, OutboxStore outbox, AuditStore audit, WebhookSettings settings,
      Duration poll) {
    this.db = db;
    this.store = store;
    this.outbox = outbox;
    this.audit = audit;
    this.settings = settings;
    this.poll = poll;
  }

  /** Asks the dispatchers of this node to look for due deliveries now. */
  public static void wake(io.vertx.core.Vertx vertx) {
    vertx.eventBus().send(WAKE_ADDRESS, null);
  }

  @Override
  public Future<?> start() {
    http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) settings.timeout().toMillis())
        .setIdleTimeout(30).setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
    vertx.eventBus().localConsumer(WAKE_ADDRESS, m -> runner.request());
    timer = vertx.setPeriodic(poll.toMillis(), id -> runner.request());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return http == null ? Future.succeededFuture() : http.close();
  }

  private Future<Integer> pass() {
    Duration lease = settings.timeout().plusSeconds(30);
    return outbox.lease(db.pool(), WebhookStore.TOPIC, BATCH, lease).compose(entries -> {
      List<Future<Void>> all = new ArrayList<>();
      for (OutboxStore.Entry e : entries) {
        all.add(deliver(e).recover(err -> {
          log.atWarn().setCause(err).addKeyValue("outboxId", e.id()).log("webhook delivery could not be recorded; retried after its lease");
          return Future.succeededFuture();
        }));
      }
      return Future.join(all).map(entries.size());
    });
  }

  private Future<Void> deliver(OutboxStore.Entry e) {
    UUID id = UUID.fromString(e.payload().getString("deliveryId"));
    return store.delivery(db.pool(), id).compose(o -> {
      if (o.isEmpty()) {
        return outbox.complete(db.pool(), e.id());
      }
      WebhookStore.Delivery d = o.get();
      if (!d.active() || !"pending".equals(d.status())) {
        return store.skipped(db.pool(), id).compose(x -> outbox.complete(db.pool(), e.id()));
      }
      return send(d).compose(outcome -> record(e, d, outcome));
    });
  }

  /** What one attempt got: a status code (null when none came) and an error text. */
  private record Outcome(Integer status, String error) {
    boolean ok() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private Future<Outcome> send(WebhookStore.Delivery d) {
    byte[] body = d.payload().encode().getBytes(StandardCharsets.UTF_8);
    long ts = System.currentTimeMillis() / 1000;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.url())
        .setTimeout(settings.timeout().toMillis()).setFollowRedirects(false)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "Switchboard-Webhooks/1")
        .putHeader(WebhookSignatures.EVENT_HEADER, d.event())
        .putHeader(WebhookSignatures.DELIVERY_HEADER, d.id().toString())
        .putHeader(WebhookSignatures.TIMESTAMP_HEADER, Long.toString(ts))
        .putHeader(WebhookSignatures.SIGNATURE_HEADER, WebhookSignatures.sign(d.secret(), ts, body));
    return http.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Outcome(resp.statusCode(),
            resp.statusCode() >= 200 && resp.statusCode() < 300 ? null : "HTTP " + resp.statusCode())))
        .recover(err -> Future.succeededFuture(new Outcome(null, String.valueOf(err.getMessage()))));
  }

  private Future<Void> record(OutboxStore.Entry e, WebhookStore.Delivery d, Outcome outcome) {
    if (outcome.ok()) {
      return db.inTransaction(tx -> store.delivered(tx, d.id(), e.attempts(), outcome.status())
          .compose(x -> outbox.complete(tx, e.id())));
    }
    boolean last = e.attempts() >= settings.maxAttempts();
    return db.inTransaction(tx -> store.failed(tx, d.id(), e.attempts(), outcome.status(), outcome.error(), last)
        .compose(inRow -> {
          if (inRow >= settings.disableAfter()) {
            String reason = inRow + " failed attempts in a row; last: " + outcome.error();
            return store.disable(tx, d.subscriptionId(), reason).compose(did -> did
                    ? audit.append(tx, "system:webhooks", "webhook.disabled", "webhook", d.subscriptionId().toString(),
                        new JsonObject().put("reason", reason).put("url", d.url()))
                    : Future.succeededFuture())
                .compose(x -> store.giveUp(tx, d.id()))
                .compose(x -> outbox.complete(tx, e.id()));
          }
          return last ? outbox.complete(tx, e.id()) : outbox.markFailed(tx, e.id(), outcome.error(), backoff(e.attempts()));
        }));
  }

  private Duration backoff(int attempts) {
    long ms = settings.firstRetry().toMillis() << Math.min(20, Math.max(0, attempts - 1));
    return Duration.ofMillis(Math.min(ms, Duration.ofHours(1).toMillis()));
  }
}

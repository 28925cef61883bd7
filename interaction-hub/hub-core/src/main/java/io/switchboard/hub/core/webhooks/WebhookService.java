package io.switchboard.hub.core.webhooks;

import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.AuditStore;
import io.switchboard.hub.store.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Outbound webhook subscriptions (docs/webhooks.md): admins create them (the signing secret is returned once),
 * list, delete, enable again after an automatic disable, send a test ping, and read each one's delivery log.
 */
public final class WebhookService {
  /** The events a subscription may listen to. */
  public static final Set<String> EVENTS = Set.of("interaction.created", "interaction.offered", "interaction.assigned",
      "interaction.ended", "message.received", "message.sent", "csat.answered", "customer.merged");
  /** The test ping's event (sent to one subscription whatever it listens to). */
  public static final String PING = "webhook.ping";

  private final Vertx vertx;
  private final Database db;
  private final WebhookStore store;
  private final AuditStore audit;
  private final SecureRandom random = new SecureRandom();

  public WebhookService(Vertx vertx, Database db, WebhookStore store, AuditStore audit) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.audit = audit;
  }

  /** A new subscription and its secret (the only time the secret is shown). */
  public record Created(WebhookStore.Subscription subscription, String secret) {}

  /** Creates a subscription; 422 naming {@code url} or {@code events} when they are not acceptable. */
  public Future<Created> create(String url, List<String> events, String description, Principal by) {
    List<FieldError> errors = new ArrayList<>();
    if (url == null || url.length() > 2000) {
      errors.add(new FieldError("url", "is required (an http or https URL, at most 2000 characters)"));
    } else {
      try {
        URI u = URI.create(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
          errors.add(new FieldError("url", "must be an absolute http or https URL"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("url", "is not a URL"));
      }
    }
    Set<String> set = new LinkedHashSet<>();
    if (events == null || events.isEmpty()) {
      errors.add(new FieldError("events", "name at least one event: " + String.join(", ", EVENTS.stream().sorted().toList())));
    } else {
      for (String e : events) {
        if (!EVENTS.contains(e)) {
          errors.add(new FieldError("events", "unknown event '" + e + "'; known: " + String.join(", ", EVENTS.stream().sorted().toList())));
        }
        set.add(e);
      }
    }
    if (description != null && description.length() > 500) {
      errors.add(new FieldError("description", "at most 500 characters"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new ValidationException(errors));
    }
    byte[] key = new byte[32];
    random.nextBytes(key);
    String secret = "whsec_" + HexFormat.of().formatHex(key);
    UUID id = UUID.randomUUID();
    return db.inTransaction(tx -> store.insert(tx, id, url, List.copyOf(set), secret, description, by.auditName())
        .compose(s -> audit.append(tx, by.auditName(), "webhook.created", "webhook", id.toString(),
            new JsonObject().put("url", url).put("events", new io.vertx.core.json.JsonArray(List.copyOf(set)))).map(s)))
        .map(s -> new Created(s, secret));
  }

  public Future<List<WebhookStore.Subscription>> list() {
    return store.list(db.pool());
  }

  public Future<WebhookStore.Subscription> get(UUID id) {
    return store.find(db.pool(), id).map(o -> o.orElseThrow(() -> new NotFoundException("no webhook subscription " + id)));
  }

  public Future<Void> delete(UUID id, Principal by) {
    return db.inTransaction(tx -> store.delete(tx, id).compose(found -> found
        ? audit.append(tx, by.auditName(), "webhook.deleted", "webhook", id.toString(), new JsonObject())
        : Future.failedFuture(new NotFoundException("no webhook subscription " + id))));
  }

  /** Turns a subscription on again (after an automatic disable), its failure count cleared. */
  public Future<WebhookStore.Subscription> enable(UUID id, Principal by) {
    return db.inTransaction(tx -> store.enable(tx, id).compose(o -> o.isEmpty()
        ? Future.failedFuture(new NotFoundException("no webhook subscription " + id))
        : audit.append(tx, by.auditName(), "webhook.enabled", "webhook", id.toString(), new JsonObject()).map(o.get())));
  }

  /** Queues a {@value #PING} delivery to this subscription; returns its event id. */
  public Future<String> ping(UUID id, Principal by) {
    String eventId = "ping:" + UUID.randomUUID();
    JsonObject body = envelope(PING, eventId, Instant.now(), new JsonObject().put("subscriptionId", id.toString())
        .put("requestedBy", by.auditName()));
    return get(id).compose(s -> s.active() ? store.fanOut(db.pool(), PING, eventId, body, id)
            : Future.failedFuture(new io.switchboard.hub.api.error.ConflictException("the subscription is disabled; enable it first")))
        .onSuccess(n -> WebhookDispatcher.wake(vertx)).map(eventId);
  }

  /** A subscription's deliveries, newest first. */
  public Future<List<WebhookStore.LogEntry>> deliveries(UUID id, Instant before, int limit) {
    return get(id).compose(s -> store.log(db.pool(), id, before, limit));
  }

  /** The body every delivery carries. */
  public static JsonObject envelope(String event, String eventId, Instant occurredAt, JsonObject data) {
    return new JsonObject().put("id", eventId).put("type", event).put("occurredAt", occurredAt.toString()).put("data", data);
  }
}

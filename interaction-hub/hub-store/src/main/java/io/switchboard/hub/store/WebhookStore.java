package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Webhook subscriptions, their delivery log, and the hub events they are made from (docs/webhooks.md). A delivery
 * is a {@code webhook_deliveries} row plus an outbox entry {@value #TOPIC} naming it, written in one statement.
 */
public final class WebhookStore {
  /** The outbox topic of a webhook delivery (payload {@code {"deliveryId": ...}}). */
  public static final String TOPIC = "webhook.deliver";
  static final String WATERMARK = "webhooks";

  private static final String COLUMNS = "id, url, events, description, active, failures_in_row, disabled_at, disabled_reason,"
      + " created_by, created_at";
  private static final String INSERT = "INSERT INTO webhook_subscriptions (id, url, events, secret, description, created_by)"
      + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String LIST = "SELECT " + COLUMNS + " FROM webhook_subscriptions ORDER BY created_at, id";
  private static final String FIND = "SELECT " + COLUMNS + " FROM webhook_subscriptions WHERE id = $1";
  private static final String DELETE = "DELETE FROM webhook_subscriptions WHERE id = $1";
  private static final String ENABLE = "UPDATE webhook_subscriptions SET active = true, failures_in_row = 0, disabled_at = NULL,"
      + " disabled_reason = NULL WHERE id = $1 RETURNING " + COLUMNS;

  // $1 event, $2 event id, $3 payload; $4 a subscription (a ping) or null for every active one listening to $1.
  private static final String FAN_OUT = """
      WITH d AS (
        INSERT INTO webhook_deliveries (id, subscription_id, event_id, event, payload, status)
        SELECT gen_random_uuid(), s.id, $2, $1, $3, 'pending' FROM webhook_subscriptions s
         WHERE s.active AND (CASE WHEN $4::uuid IS NULL THEN $1 = ANY(s.events) ELSE s.id = $4::uuid END)
        ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id)
      INSERT INTO outbox (topic, payload) SELECT '%s', jsonb_build_object('deliveryId', d.id) FROM d""".formatted(TOPIC);

  private static final String WANTED = "SELECT DISTINCT e AS event FROM webhook_subscriptions s, unnest(s.events) e WHERE s.active";

  private static final String DELIVERY = "SELECT d.id, d.event, d.event_id, d.payload, d.status, s.id AS subscription_id, s.url,"
      + " s.secret, s.active FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1";
  private static final String DELIVERED = "WITH d AS (UPDATE webhook_deliveries SET status = 'delivered', attempts = $2,"
      + " last_status_code = $3, last_error = NULL, last_attempt_at = now(), delivered_at = now() WHERE id = $1 RETURNING subscription_id)"
      + " UPDATE webhook_subscriptions SET failures_in_row = 0 WHERE id = (SELECT subscription_id FROM d)";
  // $1 delivery, $2 attempts, $3 status code or null, $4 error, $5 final; returns the subscription's failures in a row.
  private static final String FAILED = "WITH d AS (UPDATE webhook_deliveries SET status = CASE WHEN $5 THEN 'failed' ELSE 'pending' END,"
      + " attempts = $2, last_status_code = $3, last_error = $4, last_attempt_at = now() WHERE id = $1 RETURNING subscription_id)"
      + " UPDATE webhook_subscriptions SET failures_in_row = failures_in_row + 1 WHERE id = (SELECT subscription_id FROM d)"
      + " RETURNING id, failures_in_row, active";
  private static final String SKIPPED = "UPDATE webhook_deliveries SET status = 'skipped' WHERE id = $1 AND status = 'pending'";
  private static final String DISABLE = "UPDATE webhook_subscriptions SET active = false, disabled_at = now(), disabled_reason = $2"
      + " WHERE id = $1 AND active";
  private static final String LOG = "SELECT id, event, event_id, status, attempts, last_status_code, last_error, last_attempt_at,"
      + " delivered_at, created_at FROM webhook_deliveries WHERE subscription_id = $1"
      + " AND ($2::timestamptz IS NULL OR created_at < $2) ORDER BY created_at DESC, id LIMIT $3";

  // The horizon, and whether an active subscription listens to any of the events $1 the transitions make: read in one
  // statement, so from one snapshot. A subscription it does not see committed after every transition below the
  // horizon, so none of them is its to get.
  private static final String HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,"
      + " (SELECT horizon::text FROM report_watermark WHERE name = '" + WATERMARK + "') AS prev,"
      + " EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active AND events && $1::text[]) AS wanted";
  private static final String SAVE_HORIZON = "INSERT INTO report_watermark (name, horizon, until) VALUES ('" + WATERMARK
      + "', $1::text::xid8, now()) ON CONFLICT (name) DO UPDATE SET horizon = excluded.horizon, until = now(), updated_at = now()";
  private static final String LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('switchboard.webhooks')) AS locked";
  // Transitions committed in transactions [$1, $2) with what an event tells about the interaction.
  private static final String TRANSITIONS = """
      SELECT t.id, t.from_state, t.to_state, t.queue_id, t.agent_id, t.reason, t.at, i.id AS interaction_id, i.channel,
             i.customer_id, i.conversation_id, i.disposition, i.end_reason
        FROM interaction_transitions t JOIN interactions i ON i.id = t.interaction_id
       WHERE t.tx >= $1::text::xid8 AND t.tx < $2::text::xid8
         AND (t.from_state IS NULL OR t.to_state IN ('offered', 'assigned', 'ended', 'abandoned'))
       ORDER BY t.id""";

  /** A subscription as shown (never its secret). */
  public record Subscription(UUID id, String url, List<String> events, String description, boolean active,
      int failuresInRow, Instant disabledAt, String disabledReason, String createdBy, Instant createdAt) {}

  /** A delivery with what sending it needs. */
  public record Delivery(UUID id, String event, String eventId, JsonObject payload, String status, UUID subscriptionId,
      String url, String secret, boolean active) {}

  /** One line of a subscription's delivery log. */
  public record LogEntry(UUID id, String event, String eventId, String status, int attempts, Integer lastStatusCode,
      String lastError, Instant lastAttemptAt, Instant deliveredAt, Instant createdAt) {}

  /** A transition that makes an interaction event. */
  public record TransitionEvent(long id, String fromState, String toState, String queueId, UUID agentId, String reason,
      Instant at, UUID interactionId, String channel, UUID customerId, UUID conversationId, String disposition, String endReason) {}

  public Future<Subscription> insert(SqlClient sql, UUID id, String url, List<String> events, String secret, String description,
      String createdBy) {
    return sql.preparedQuery(INSERT).execute(Tuple.of(id, url, events.toArray(String[]::new), secret, description, createdBy))
        .map(rows -> subscription(rows.iterator().next()));
  }

  public Future<List<Subscription>> list(SqlClient sql) {
    return sql.query(LIST).execute().map(rows -> {
      List<Subscription> out = new ArrayList<>();
      rows.forEach(r -> out.add(subscription(r)));
      return out;
    });
  }

  public Future<Optional<Subscription>> find(SqlClient sql, UUID id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id)).map(rows ->
        rows.size() == 0 ? Optional.empty() : Optional.of(subscription(rows.iterator().next())));
  }

  public Future<Boolean> delete(SqlClient sql, UUID id) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(id)).map(r -> r.rowCount() > 0);
  }

  /** Turns a disabled subscription on again, its failure count cleared. */
  public Future<Optional<Subscription>> enable(SqlClient sql, UUID id) {
    return sql.preparedQuery(ENABLE).execute(Tuple.of(id)).map(rows ->
        rows.size() == 0 ? Optional.empty() : Optional.of(subscription(rows.iterator().next())));
  }

  /**
   * Writes a delivery of {@code event} for every active subscription listening to it (or for {@code only}) with
   * its outbox entry; an event id already delivered to a subscription is left out. Returns how many were written.
   */
  public Future<Integer> fanOut(SqlClient sql, String event, String eventId, JsonObject payload, UUID only) {
    return sql.preparedQuery(FAN_OUT).execute(Tuple.of(event, eventId, payload, only)).map(r -> r.rowCount());
  }

  /** The events at least one active subscription listens to. */
  public Future<java.util.Set<String>> wantedEvents(SqlClient sql) {
    return sql.query(WANTED).execute().map(rows -> {
      java.util.Set<String> out = new java.util.HashSet<>();
      rows.forEach(r -> out.add(r.getString("event")));
      return out;
    });
  }

  public Future<Optional<Delivery>> delivery(SqlClient sql, UUID id) {
    return sql.preparedQuery(DELIVERY).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new Delivery(r.getUUID("id"), r.getString("event"), r.getString("event_id"), r.getJsonObject("payload"),
          r.getString("status"), r.getUUID("subscription_id"), r.getString("url"), r.getString("secret"), r.getBoolean("active")));
    });
  }

  public Future<Void> delivered(SqlClient sql, UUID id, int attempts, int statusCode) {
    return sql.preparedQuery(DELIVERED).execute(Tuple.of(id, attempts, statusCode)).mapEmpty();
  }

  /** Records a failed attempt; returns the subscription's failed attempts in a row (0 when it is gone). */
  public Future<Integer> failed(SqlClient sql, UUID id, int attempts, Integer statusCode, String error, boolean last) {
    return sql.preparedQuery(FAILED).execute(Tuple.of(id, attempts, statusCode, error, last))
        .map(rows -> rows.size() == 0 ? 0 : rows.iterator().next().getInteger("failures_in_row"));
  }

  /** A delivery is not tried again (its subscription was just disabled). */
  public Future<Void> giveUp(SqlClient sql, UUID id) {
    return sql.preparedQuery("UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> skipped(SqlClient sql, UUID id) {
    return sql.preparedQuery(SKIPPED).execute(Tuple.of(id)).mapEmpty();
  }

  /** Disables an active subscription; true when this call did it. */
  public Future<Boolean> disable(SqlClient sql, UUID id, String reason) {
    return sql.preparedQuery(DISABLE).execute(Tuple.of(id, reason)).map(r -> r.rowCount() > 0);
  }

  /** A subscription's deliveries, newest first, before {@code before} (null: from the newest). */
  public Future<List<LogEntry>> log(SqlClient sql, UUID subscription, Instant before, int limit) {
    return sql.preparedQuery(LOG).execute(Tuple.of(subscription, before == null ? null : Rows.odt(before), limit)).map(rows -> {
      List<LogEntry> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new LogEntry(r.getUUID("id"), r.getString("event"), r.getString("event_id"), r.getString("status"),
            r.getInteger("attempts"), r.getInteger("last_status_code"), r.getString("last_error"), Rows.instant(r, "last_attempt_at"),
            Rows.instant(r, "delivered_at"), Rows.instant(r, "created_at")));
      }
      return out;
    });
  }

  /** A webhook event to fan out to the subscriptions that want it ({@link #fanOut}). */
  public record Event(String event, String eventId, JsonObject payload) {}

  /**
   * In one transaction (one node at a time): the transitions committed since the last call, turned into events by
   * {@code toEvents} and fanned out to their subscriptions on the same connection, then the horizon moved on. The
   * first call only sets the horizon (no history is replayed). When no active subscription listens to any of
   * {@code events} (what {@code toEvents} makes), the transitions are not read and the horizon just moves on: the
   * statements of a call are the same however many transitions it passes over, none per transition. Completes with
   * the number of transitions handled (0 when passed over).
   */
  public Future<Integer> newTransitions(Database db, java.util.Collection<String> events,
      java.util.function.Function<List<TransitionEvent>, List<Event>> toEvents) {
    return db.inTransaction(tx -> tx.query(LOCK).execute().compose(l -> {
      if (!l.iterator().next().getBoolean("locked")) {
        return Future.succeededFuture(0);
      }
      return tx.preparedQuery(HORIZON).execute(Tuple.of(events.toArray(String[]::new))).compose(h -> {
        Row hr = h.iterator().next();
        String cur = hr.getString("xmin");
        String prev = hr.getString("prev");
        if (prev == null || !hr.getBoolean("wanted")) {
          return tx.preparedQuery(SAVE_HORIZON).execute(Tuple.of(cur)).map(0);
        }
        return tx.preparedQuery(TRANSITIONS).execute(Tuple.of(prev, cur)).compose(rows -> {
          List<TransitionEvent> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new TransitionEvent(r.getLong("id"), r.getString("from_state"), r.getString("to_state"), r.getString("queue_id"),
                r.getUUID("agent_id"), r.getString("reason"), Rows.instant(r, "at"), r.getUUID("interaction_id"), r.getString("channel"),
                r.getUUID("customer_id"), r.getUUID("conversation_id"), r.getString("disposition"), r.getString("end_reason")));
          }
          return (out.isEmpty() ? Future.<Void>succeededFuture() : fanOutAll(tx, toEvents.apply(out)))
              .compose(x -> tx.preparedQuery(SAVE_HORIZON).execute(Tuple.of(cur)))
              .map(out.size());
        });
      });
    }));
  }

  private Future<Void> fanOutAll(SqlClient tx, List<Event> events) {
    Future<Void> chain = Future.succeededFuture();
    for (Event e : events) {
      chain = chain.compose(x -> fanOut(tx, e.event(), e.eventId(), e.payload(), null).mapEmpty());
    }
    return chain;
  }

  private static Subscription subscription(Row r) {
    return new Subscription(r.getUUID("id"), r.getString("url"), List.of(r.getArrayOfStrings("events")), r.getString("description"),
        r.getBoolean("active"), r.getInteger("failures_in_row"), Rows.instant(r, "disabled_at"), r.getString("disabled_reason"),
        r.getString("created_by"), Rows.instant(r, "created_at"));
  }
}

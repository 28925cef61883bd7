package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The interactions that arrived in a period, with what routing conditions see of them and how they went: the input of
 * the what-if simulation of a rules draft. Read-only; holds no state.
 */
public final class ArrivalStore {
  private static final String ARRIVALS =
      "SELECT i.created_at, i.channel, i.attributes, i.subject, i.queue_id, i.state, i.answered_at,"
          + " coalesce(i.wrap_up_at, i.ended_at) AS work_ended_at, i.ended_at, c.tier, c.language, c.attributes AS customer_attributes"
          + " FROM interactions i JOIN customers c ON c.id = i.customer_id"
          + " WHERE i.created_at >= $1 AND i.created_at < $2 ORDER BY i.created_at, i.id LIMIT $3";

  /**
   * One stored arrival.
   *
   * @param queue the queue the running rules put it in (null while not yet classified)
   * @param answeredAt when an agent accepted it; null when nobody did
   * @param workEndedAt when the agent's work on it ended (wrap-up or end); null while it goes on
   * @param endedAt when it ended (for an abandoned one: when the customer gave up)
   */
  public record Arrival(
      Instant createdAt, String channel, Map<String, String> attributes, String subject, String queue, String state,
      Instant answeredAt, Instant workEndedAt, Instant endedAt, String customerTier, String customerLanguage,
      Map<String, String> customerAttributes) {}

  /** Arrivals with {@code from <= created_at < to}, oldest first, at most {@code limit}. */
  public Future<List<Arrival>> between(SqlClient sql, Instant from, Instant to, int limit) {
    return sql.preparedQuery(ARRIVALS).execute(Tuple.of(Rows.odt(from), Rows.odt(to), limit)).map(rows -> {
      List<Arrival> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Arrival(Rows.instant(r, "created_at"), r.getString("channel"), strings(r.getJsonObject("attributes")),
            r.getString("subject"), r.getString("queue_id"), r.getString("state"), Rows.instant(r, "answered_at"),
            Rows.instant(r, "work_ended_at"), Rows.instant(r, "ended_at"), r.getString("tier"), r.getString("language"),
            strings(r.getJsonObject("customer_attributes"))));
      }
      return out;
    });
  }

  private static Map<String, String> strings(JsonObject json) {
    Map<String, String> out = Rows.stringMap(json);
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }
}

package io.switchboard.hub.store;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an offer shows the agent, read in one statement (issue 12: it took six in four round trips one after the other):
 * the interaction with its routing JSON, the golden record its customer resolves to with the identities of every
 * customer merged into that one, and the few messages an offer shows, never the whole conversation.
 */
public final class OfferContextStore {

  /** A canonical, lower-case UUID: only such a transfer note id names a message (the hub writes them so). */
  private static final String UUID_TEXT = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'";

  /** The transfer's note id when it is a canonical UUID ({@code i}: the interaction's CTE); null otherwise. */
  private static final String NOTE_ID = "(SELECT CASE WHEN n ~ " + UUID_TEXT + " THEN n::uuid END"
      + " FROM (SELECT routing -> 'transfer' ->> 'noteMessageId' AS n FROM i) t)";

  /**
   * The ids of the messages an offer shows, each found on its own by an index (a scalar subquery, run once): the first
   * inbound message, the first that is not private, and the private note a transfer names when it belongs to this
   * interaction; null where there is none.
   */
  private static final String SHOWN_IDS = "ARRAY["
      + "(SELECT id FROM messages WHERE interaction_id = $1 AND direction = 'inbound' ORDER BY created_at, id LIMIT 1),"
      + " (SELECT id FROM messages WHERE interaction_id = $1 AND NOT private ORDER BY created_at, id LIMIT 1),"
      + " (SELECT id FROM messages WHERE id = " + NOTE_ID + " AND interaction_id = $1)]";

  /**
   * One row per message shown (at least one row, message columns null when there is none), ordered as the
   * conversation; the interaction ({@code i_} columns), its customer's golden record ({@code c_} columns) and its
   * identities repeated on each.
   *
   * <p>Shaped so that PostgreSQL's plan does the least work whatever the tables' sizes and statistics (session 9,
   * BENCHMARKS.md "Offer frame statement"): the messages are read by {@code id = ANY (}{@link #SHOWN_IDS}{@code )}, a
   * condition of the messages scan itself, so each message's attachments ({@link MessageStore#COLUMNS}) are aggregated
   * for the (at most three) messages shown only, never for rows a join would discard later; the identities are read
   * through their index ({@link CustomerStore#identitiesJson}). Few query levels keep a custom plan's planning short,
   * and the generic plan, which the hub's prepared statement settles on after five calls per connection, is the same
   * shape as the custom ones. {@code OfferContextPlanTest} checks both plans.
   */
  static final String OFFER_CONTEXT =
      "WITH RECURSIVE i AS (SELECT " + InteractionStore.COLUMNS + ", routing FROM interactions WHERE id = $1),"
          + " " + CustomerStore.goldenAndMembers("(SELECT customer_id FROM i)")
          + " SELECT " + Rows.prefixed(InteractionStore.COLUMNS, "i", "i_") + ", i.routing AS i_routing,"
          + " " + Rows.prefixed(CustomerStore.COLUMNS, "c", "c_") + ","
          + " " + CustomerStore.identitiesJson("SELECT id FROM members") + " AS c_identities, m.*"
          + " FROM i LEFT JOIN customers c ON c.id = (SELECT id FROM golden)"
          + " LEFT JOIN (SELECT " + MessageStore.COLUMNS + " FROM messages WHERE id = ANY (" + SHOWN_IDS + ")) m ON true"
          + " ORDER BY m.created_at, m.id";

  /**
   * What an offer of an interaction shows.
   *
   * @param routing how routing classified it (with the transfer that brought it); null when it was never routed
   * @param messages the first inbound message, the first message that is not private and the transfer's note, those
   *     that exist, each once, oldest first
   * @param customer the golden record the interaction's customer resolves to (itself when not merged; itself too when
   *     the merges form a cycle); null when the customer row is missing
   * @param identities the identities of that record and of every customer merged into it
   */
  public record Context(Interaction interaction, JsonObject routing, List<Message> messages, Customer customer,
      List<Identity> identities) {
    public Context {
      messages = List.copyOf(messages);
      identities = List.copyOf(identities);
    }
  }

  /** What an offer of {@code id} shows, in one statement; empty when there is no such interaction. */
  public Future<Optional<Context>> offerContext(SqlClient sql, InteractionId id) {
    return sql.preparedQuery(OFFER_CONTEXT).execute(Tuple.of(id.value())).map(OfferContextStore::context);
  }

  private static Optional<Context> context(RowSet<Row> rows) {
    Row first = null;
    List<Message> messages = new ArrayList<>();
    for (Row r : rows) {
      if (first == null) {
        first = r;
      }
      if (r.getUUID("id") != null) {
        messages.add(MessageStore.message(r));
      }
    }
    if (first == null) {
      return Optional.empty();
    }
    boolean customer = first.getUUID("c_id") != null;
    return Optional.of(new Context(InteractionStore.interaction(first, "i_"), first.getJsonObject("i_routing"), messages,
        customer ? CustomerStore.customer(first, "c_") : null,
        customer ? CustomerStore.identities(first.getJsonArray("c_identities")) : List.of()));
  }
}

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

  /**
   * One row per message shown (at least one row, message columns null when there is none), ordered as the
   * conversation; the interaction ({@code i_} columns), its customer's golden record ({@code c_} columns) and its
   * identities repeated on each. The messages: the first inbound one, the first that is not private, and the private
   * note a transfer names ({@code routing.transfer.noteMessageId}) when it belongs to this interaction.
   */
  static final String OFFER_CONTEXT =
      "WITH RECURSIVE i AS (SELECT " + InteractionStore.COLUMNS + ", routing FROM interactions WHERE id = $1),"
          + " " + CustomerStore.goldenAndMembers("(SELECT customer_id FROM i)") + ","
          + " note AS (SELECT CASE WHEN n ~ " + UUID_TEXT + " THEN n::uuid END AS id"
          + " FROM (SELECT routing -> 'transfer' ->> 'noteMessageId' AS n FROM i) t),"
          + " shown AS ((SELECT id FROM messages WHERE interaction_id = $1 AND direction = 'inbound' ORDER BY created_at, id LIMIT 1)"
          + " UNION (SELECT id FROM messages WHERE interaction_id = $1 AND NOT private ORDER BY created_at, id LIMIT 1)"
          + " UNION (SELECT id FROM messages WHERE id = (SELECT id FROM note) AND interaction_id = $1))"
          + " SELECT " + Rows.prefixed(InteractionStore.COLUMNS, "i", "i_") + ", i.routing AS i_routing,"
          + " " + Rows.prefixed(CustomerStore.COLUMNS, "c", "c_") + ","
          + " " + CustomerStore.identitiesJson("SELECT id FROM members") + " AS c_identities, m.*"
          + " FROM i LEFT JOIN customers c ON c.id = (SELECT id FROM golden)"
          + " LEFT JOIN LATERAL (SELECT " + MessageStore.COLUMNS + " FROM messages WHERE id IN (SELECT id FROM shown)) m ON true"
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

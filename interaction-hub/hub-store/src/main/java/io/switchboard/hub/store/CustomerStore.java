package io.switchboard.hub.store;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.CustomerMerge;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IdentityId;
import io.switchboard.hub.api.IdentityKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Customers, their identities and merges. Reads take a {@link StoreScope} (the database or a transaction); locks and
 * writes take the {@link StoreTransaction} they belong to.
 */
public final class CustomerStore {

  static final String COLUMNS =
      "id, display_name, tier, language, attributes, notes, merged_into, version, created_at, updated_at";

  private static final String INSERT =
      "INSERT INTO customers (id, display_name, tier, language, attributes, notes, created_at, updated_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM customers WHERE id = $1";
  private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";
  private static final String UPDATE =
      "UPDATE customers SET display_name = $2, tier = $3, language = $4, attributes = $5, notes = $6,"
          + " version = version + 1, updated_at = now() WHERE id = $1 AND version = $7 RETURNING " + COLUMNS;
  private static final String SET_MERGED_INTO =
      "UPDATE customers SET merged_into = $2, version = version + 1, updated_at = now() WHERE id = $1";
  /** How many merges a chain or a golden record's tree is followed through, at most (a guard against a cycle). */
  private static final int MERGE_DEPTH = 64;

  /**
   * A recursive CTE {@code chain(id, merged_into, depth)}: the customer {@code customer} (an SQL expression, such as
   * {@code $1}) and each customer it was merged into, in turn; its golden record is the row whose {@code merged_into} is
   * null. For a {@code WITH RECURSIVE} clause; shared with {@link RoutingStore}, which resolves a golden record too.
   */
  static String mergeChain(String customer) {
    return "chain(id, merged_into, depth) AS ("
        + " SELECT id, merged_into, 0 FROM customers WHERE id = " + customer
        + " UNION ALL SELECT c.id, c.merged_into, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.merged_into"
        + " WHERE chain.depth < " + MERGE_DEPTH + ")";
  }

  /**
   * A recursive CTE {@code members(id, depth)}: the customer {@code golden} (an SQL expression giving one id) and every
   * customer merged into it, directly or through others. For a {@code WITH RECURSIVE} clause; shared with
   * {@link RoutingStore}.
   */
  static String mergedMembers(String golden) {
    return "members(id, depth) AS ("
        + " SELECT id, 0 FROM customers WHERE id = " + golden
        + " UNION ALL SELECT c.id, members.depth + 1 FROM customers c JOIN members ON c.merged_into = members.id"
        + " WHERE members.depth < " + MERGE_DEPTH + ")";
  }

  /**
   * The CTEs {@code chain}, {@code golden(id)} and {@code members}: the golden record the customer {@code customer} (an
   * SQL expression) resolves to, itself when there is none (merges that form a cycle, or no such customer), and every
   * customer merged into that one. For a {@code WITH RECURSIVE} clause; shared with {@link RoutingStore} and
   * {@link OfferContextStore}.
   */
  static String goldenAndMembers(String customer) {
    return mergeChain(customer) + ","
        + " golden AS (SELECT coalesce((SELECT id FROM chain WHERE merged_into IS NULL LIMIT 1), " + customer + ") AS id),"
        + " " + mergedMembers("(SELECT id FROM golden)");
  }

  private static final String RESOLVE = "WITH RECURSIVE " + mergeChain("$1") + " SELECT id FROM chain WHERE merged_into IS NULL";
  private static final String MEMBERS = "WITH RECURSIVE " + mergedMembers("$1") + " SELECT id FROM members";
  static final String SEARCH_BY_NAME =
      "SELECT " + COLUMNS + " FROM customers WHERE merged_into IS NULL AND lower(display_name) LIKE $1"
          + " ORDER BY lower(display_name), id LIMIT $2 OFFSET $3";
  private static final String LIST =
      "SELECT " + COLUMNS + " FROM customers WHERE merged_into IS NULL ORDER BY created_at DESC, id LIMIT $1 OFFSET $2";

  private static final String IDENTITY_COLUMNS = "id, customer_id, kind, provider, value, created_at";
  private static final String FIND_BY_IDENTITY =
      "SELECT customer_id FROM customer_identities WHERE kind = $1 AND provider = $2 AND value = $3";
  private static final String INSERT_IDENTITY =
      "INSERT INTO customer_identities (id, customer_id, kind, provider, value, created_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, provider, value) DO NOTHING RETURNING "
          + IDENTITY_COLUMNS;
  private static final String IDENTITIES_OF =
      "SELECT " + IDENTITY_COLUMNS + " FROM customer_identities WHERE customer_id = ANY($1) ORDER BY created_at, id";
  /**
   * A scalar subquery: the identities of the customers {@code customers} (an SQL expression giving ids, such as
   * {@code SELECT id FROM members}) as a JSON array, in the order of {@link #identitiesOf}; read with {@link #identities}.
   * The ids are gathered into an array first ({@code customer_id = ANY (ARRAY(...))}, a condition of the scan): PostgreSQL
   * then reads the identities through {@code customer_identities_customer} (from 1,000 rows, the smallest table tried).
   * With {@code IN (...)} it planned a join and, guessing a recursive CTE such as {@code members} at 51 rows, preferred a
   * sequential scan of the whole table up to 12,000-20,000 identities (session 9, {@code OfferContextPlanTest}).
   */
  static String identitiesJson(String customers) {
    StringBuilder fields = new StringBuilder();
    for (String c : IDENTITY_COLUMNS.split(",")) {
      fields.append(fields.isEmpty() ? "" : ", ").append('\'').append(c.strip()).append("', ci.").append(c.strip());
    }
    return "(SELECT coalesce(json_agg(json_build_object(" + fields + ") ORDER BY ci.created_at, ci.id), '[]')"
        + " FROM customer_identities ci WHERE ci.customer_id = ANY (ARRAY(" + customers + ")))";
  }

  private static final String FIND_IDENTITY =
      "SELECT " + IDENTITY_COLUMNS + " FROM customer_identities WHERE id = $1";
  private static final String DELETE_IDENTITY = "DELETE FROM customer_identities WHERE id = $1";

  private static final String MERGE_COLUMNS =
      "id, survivor_id, merged_id, field_changes, merged_by, merged_at, undone_by, undone_at";
  private static final String INSERT_MERGE =
      "INSERT INTO customer_merges (id, survivor_id, merged_id, field_changes, merged_by)"
          + " VALUES ($1, $2, $3, $4, $5) RETURNING " + MERGE_COLUMNS;
  private static final String FIND_MERGE_FOR_UPDATE =
      "SELECT " + MERGE_COLUMNS + " FROM customer_merges WHERE id = $1 FOR UPDATE";
  private static final String UNDO_MERGE =
      "UPDATE customer_merges SET undone_by = $2, undone_at = now() WHERE id = $1 AND undone_at IS NULL RETURNING "
          + MERGE_COLUMNS;
  private static final String MERGES_OF =
      "SELECT " + MERGE_COLUMNS + " FROM customer_merges WHERE survivor_id = $1 OR merged_id = $1 ORDER BY merged_at";

  public Future<Customer> insert(StoreTransaction tx, Customer c) {
    return tx.client().preparedQuery(INSERT)
        .execute(
            Tuple.of(
                c.id().value(),
                c.displayName(),
                c.tier(),
                c.language(),
                Rows.json(c.attributes()),
                c.notes(),
                Rows.odt(c.createdAt() == null ? Instant.now() : c.createdAt())))
        .map(rows -> customer(rows.iterator().next()));
  }

  public Future<Optional<Customer>> find(StoreScope scope, CustomerId id) {
    return find(scope.client(), id);
  }

  /** The same on a client: for the routing services that still read on the pool itself. */
  public Future<Optional<Customer>> find(SqlClient sql, CustomerId id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id.value())).map(rows -> first(rows).map(CustomerStore::customer));
  }

  /** Locks the row until the transaction ends. */
  public Future<Optional<Customer>> findForUpdate(StoreTransaction tx, CustomerId id) {
    return tx.client().preparedQuery(FIND_FOR_UPDATE)
        .execute(Tuple.of(id.value()))
        .map(rows -> first(rows).map(CustomerStore::customer));
  }

  /**
   * Writes the editable fields of {@code c} when the stored version is still {@code expectedVersion}.
   *
   * @return the new state, or empty when the version moved on (or the customer is gone)
   */
  public Future<Optional<Customer>> update(StoreTransaction tx, Customer c, int expectedVersion) {
    return tx.client().preparedQuery(UPDATE)
        .execute(
            Tuple.from(
                new Object[] {
                  c.id().value(), c.displayName(), c.tier(), c.language(), Rows.json(c.attributes()), c.notes(),
                  expectedVersion
                }))
        .map(rows -> first(rows).map(CustomerStore::customer));
  }

  public Future<Void> setMergedInto(StoreTransaction tx, CustomerId id, CustomerId into) {
    return tx.client().preparedQuery(SET_MERGED_INTO)
        .execute(Tuple.of(id.value(), into == null ? null : into.value()))
        .mapEmpty();
  }

  /** The golden record {@code id} resolves to (itself when not merged); empty when unknown. */
  public Future<Optional<CustomerId>> resolve(StoreScope scope, CustomerId id) {
    return resolve(scope.client(), id);
  }

  /** The same on a client: for the routing services that still read on the pool itself. */
  public Future<Optional<CustomerId>> resolve(SqlClient sql, CustomerId id) {
    return sql.preparedQuery(RESOLVE)
        .execute(Tuple.of(id.value()))
        .map(rows -> first(rows).map(r -> new CustomerId(r.getUUID("id"))));
  }

  /** {@code golden} and every customer merged into it, directly or through others. */
  public Future<List<CustomerId>> members(StoreScope scope, CustomerId golden) {
    return members(scope.client(), golden);
  }

  /** The same on a client: for the routing services that still read on the pool itself. */
  public Future<List<CustomerId>> members(SqlClient sql, CustomerId golden) {
    return sql.preparedQuery(MEMBERS)
        .execute(Tuple.of(golden.value()))
        .map(rows -> {
          List<CustomerId> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(new CustomerId(r.getUUID("id"))));
          return ids;
        });
  }

  /** Golden records whose name contains {@code fragment}, case-insensitively. */
  public Future<List<Customer>> searchByName(StoreScope scope, String fragment, int limit, int offset) {
    String pattern = "%" + fragment.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    return scope.client().preparedQuery(SEARCH_BY_NAME).execute(Tuple.of(pattern, limit, offset)).map(CustomerStore::customers);
  }

  /** Golden records, newest first. */
  public Future<List<Customer>> list(StoreScope scope, int limit, int offset) {
    return scope.client().preparedQuery(LIST).execute(Tuple.of(limit, offset)).map(CustomerStore::customers);
  }

  /** The customer owning the identity (possibly merged into another), if any. */
  public Future<Optional<CustomerId>> findByIdentity(StoreScope scope, IdentityKind kind, String provider, String value) {
    return scope.client().preparedQuery(FIND_BY_IDENTITY)
        .execute(Tuple.of(kind.wireName(), provider, value))
        .map(rows -> first(rows).map(r -> new CustomerId(r.getUUID("customer_id"))));
  }

  /** Adds an identity; empty when the same (kind, provider, value) already belongs to someone. */
  public Future<Optional<Identity>> insertIdentity(StoreTransaction tx, Identity i) {
    return tx.client().preparedQuery(INSERT_IDENTITY)
        .execute(
            Tuple.from(
                new Object[] {
                  i.id().value(), i.customerId().value(), i.kind().wireName(), i.provider(), i.value(),
                  Rows.odt(i.createdAt() == null ? Instant.now() : i.createdAt())
                }))
        .map(rows -> first(rows).map(CustomerStore::identity));
  }

  public Future<List<Identity>> identitiesOf(StoreScope scope, List<CustomerId> customers) {
    UUID[] ids = customers.stream().map(CustomerId::value).toArray(UUID[]::new);
    return scope.client().preparedQuery(IDENTITIES_OF)
        .execute(Tuple.of(ids))
        .map(rows -> {
          List<Identity> out = new ArrayList<>();
          rows.forEach(r -> out.add(identity(r)));
          return out;
        });
  }

  public Future<Optional<Identity>> findIdentity(StoreScope scope, IdentityId id) {
    return scope.client().preparedQuery(FIND_IDENTITY).execute(Tuple.of(id.value())).map(rows -> first(rows).map(CustomerStore::identity));
  }

  public Future<Boolean> deleteIdentity(StoreTransaction tx, IdentityId id) {
    return tx.client().preparedQuery(DELETE_IDENTITY).execute(Tuple.of(id.value())).map(rows -> rows.rowCount() == 1);
  }

  public Future<CustomerMerge> insertMerge(StoreTransaction tx, CustomerMerge m) {
    return tx.client().preparedQuery(INSERT_MERGE)
        .execute(
            Tuple.of(m.id(), m.survivorId().value(), m.mergedId().value(), changesJson(m.fieldChanges()), m.mergedBy()))
        .map(rows -> merge(rows.iterator().next()));
  }

  public Future<Optional<CustomerMerge>> findMergeForUpdate(StoreTransaction tx, UUID id) {
    return tx.client().preparedQuery(FIND_MERGE_FOR_UPDATE).execute(Tuple.of(id)).map(rows -> first(rows).map(CustomerStore::merge));
  }

  /** Marks a live merge undone; empty when it was already undone. */
  public Future<Optional<CustomerMerge>> markMergeUndone(StoreTransaction tx, UUID id, String by) {
    return tx.client().preparedQuery(UNDO_MERGE).execute(Tuple.of(id, by)).map(rows -> first(rows).map(CustomerStore::merge));
  }

  /** Merges in which {@code customer} took part, oldest first. */
  public Future<List<CustomerMerge>> mergesOf(StoreScope scope, CustomerId customer) {
    return scope.client().preparedQuery(MERGES_OF)
        .execute(Tuple.of(customer.value()))
        .map(rows -> {
          List<CustomerMerge> out = new ArrayList<>();
          rows.forEach(r -> out.add(merge(r)));
          return out;
        });
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }

  private static List<Customer> customers(RowSet<Row> rows) {
    List<Customer> out = new ArrayList<>();
    rows.forEach(r -> out.add(customer(r)));
    return out;
  }

  private static Customer customer(Row r) {
    return customer(r, "");
  }

  /** A customer from the columns {@code p + column} of a row (see {@link Rows#prefixed}). */
  static Customer customer(Row r, String p) {
    UUID merged = r.getUUID(p + "merged_into");
    return new Customer(
        new CustomerId(r.getUUID(p + "id")),
        r.getString(p + "display_name"),
        r.getString(p + "tier"),
        r.getString(p + "language"),
        Rows.stringMap(r.getJsonObject(p + "attributes")),
        r.getString(p + "notes"),
        merged == null ? null : new CustomerId(merged),
        r.getInteger(p + "version"),
        Rows.instant(r, p + "created_at"),
        Rows.instant(r, p + "updated_at"));
  }

  /** The identities {@link #identitiesJson} gave. */
  static List<Identity> identities(io.vertx.core.json.JsonArray json) {
    List<Identity> out = new ArrayList<>();
    if (json != null) {
      for (int i = 0; i < json.size(); i++) {
        JsonObject j = json.getJsonObject(i);
        out.add(new Identity(
            new IdentityId(UUID.fromString(j.getString("id"))),
            new CustomerId(UUID.fromString(j.getString("customer_id"))),
            IdentityKind.fromWire(j.getString("kind")),
            j.getString("provider"),
            j.getString("value"),
            Rows.instant(j.getString("created_at"))));
      }
    }
    return out;
  }

  private static Identity identity(Row r) {
    return new Identity(
        new IdentityId(r.getUUID("id")),
        new CustomerId(r.getUUID("customer_id")),
        IdentityKind.fromWire(r.getString("kind")),
        r.getString("provider"),
        r.getString("value"),
        Rows.instant(r, "created_at"));
  }

  private static CustomerMerge merge(Row r) {
    JsonObject changes = r.getJsonObject("field_changes");
    Map<String, CustomerMerge.FieldChange> fc = new LinkedHashMap<>();
    if (changes != null) {
      for (String field : changes.fieldNames()) {
        JsonObject c = changes.getJsonObject(field);
        fc.put(field, new CustomerMerge.FieldChange(c.getValue("before"), c.getValue("after")));
      }
    }
    return new CustomerMerge(
        r.getUUID("id"),
        new CustomerId(r.getUUID("survivor_id")),
        new CustomerId(r.getUUID("merged_id")),
        fc,
        r.getString("merged_by"),
        Rows.instant(r, "merged_at"),
        r.getString("undone_by"),
        Rows.instant(r, "undone_at"));
  }

  private static JsonObject changesJson(Map<String, CustomerMerge.FieldChange> changes) {
    JsonObject json = new JsonObject();
    changes.forEach((k, v) -> json.put(k, new JsonObject().put("before", v.before()).put("after", v.after())));
    return json;
  }
}

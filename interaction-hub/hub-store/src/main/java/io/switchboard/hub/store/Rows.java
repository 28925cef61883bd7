package io.switchboard.hub.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small conversions shared by the stores' row mappers. */
final class Rows {
  private Rows() {}

  /**
   * A column list ({@code "a, b, c"}) read from table alias {@code alias}, each column renamed {@code prefix + column}:
   * for a statement that returns the rows of several tables side by side, mapped by the same mappers with a prefix.
   */
  static String prefixed(String columns, String alias, String prefix) {
    StringBuilder b = new StringBuilder();
    for (String c : columns.split(",")) {
      String name = c.strip();
      b.append(b.isEmpty() ? "" : ", ").append(alias).append('.').append(name).append(" AS ").append(prefix).append(name);
    }
    return b.toString();
  }

  /** A timestamp as JSON gives it ({@code to_json} of a timestamptz: ISO 8601 with an offset); null for null. */
  static Instant instant(String json) {
    return json == null ? null : OffsetDateTime.parse(json).toInstant();
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime t = row.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Map<String, String> stringMap(JsonObject json) {
    Map<String, String> out = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
    }
    return out;
  }

  static JsonObject json(Map<String, String> map) {
    JsonObject json = new JsonObject();
    if (map != null) {
      map.forEach(json::put);
    }
    return json;
  }

  /** The first row mapped by {@code map}, or empty when there is none. */
  static <T> java.util.Optional<T> first(io.vertx.sqlclient.RowSet<Row> rows, java.util.function.Function<Row, T> map) {
    var it = rows.iterator();
    return it.hasNext() ? java.util.Optional.of(map.apply(it.next())) : java.util.Optional.empty();
  }
}

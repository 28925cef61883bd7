package io.switchboard.hub.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The plans PostgreSQL runs for a statement as the hub prepares it: custom (planned for the values given) or generic
 * (what a prepared statement settles on after five runs on a connection), executed, as EXPLAIN's JSON tree.
 */
final class Plans {
  private Plans() {}

  /**
   * Statement {@code sql} prepared and executed with {@code arguments} (SQL literals, in order) under a custom or, with
   * {@code generic}, the generic plan; its root plan node, with actual rows and loops.
   */
  static JsonObject executed(Pool pool, String sql, boolean generic, String... arguments) {
    String name = "plan_" + (generic ? "generic" : "custom");
    String explained = Await.result(pool.withConnection(c ->
        c.query("SET plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan")).execute()
            .compose(x -> c.query("PREPARE " + name + " AS " + sql).execute())
            .compose(x -> c.query("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE " + name + "(" + String.join(", ", arguments) + ")")
                .execute())
            .map(rows -> rows.iterator().next().getValue(0).toString())
            .eventually(() -> c.query("DEALLOCATE " + name).execute()
                .compose(x -> c.query("RESET plan_cache_mode").execute()))));
    return new JsonArray(explained).getJsonObject(0).getJsonObject("Plan");
  }

  /** The nodes of {@code plan} that read {@code table}. */
  static List<JsonObject> reading(JsonObject plan, String table) {
    List<JsonObject> nodes = new ArrayList<>();
    walk(plan, n -> {
      if (table.equals(n.getString("Relation Name"))) {
        nodes.add(n);
      }
    });
    return nodes;
  }

  private static void walk(JsonObject node, Consumer<JsonObject> visit) {
    visit.accept(node);
    for (Object child : node.getJsonArray("Plans", new JsonArray())) {
      walk((JsonObject) child, visit);
    }
  }
}

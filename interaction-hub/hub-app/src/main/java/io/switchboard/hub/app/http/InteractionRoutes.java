package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code /api/v1/interactions}: agents see their own; supervisors and admins see all. */
final class InteractionRoutes {
  /**
   * {@code GET /api/v1/conversations/search}: conversations by customer, text, agent, channel and date, within the
   * viewer's visibility ({@link io.switchboard.hub.core.interaction.ConversationSearch}).
   */
  static void mountSearch(Router router, io.switchboard.hub.core.interaction.ConversationSearch search, Authn authn) {
    router.get("/api/v1/conversations/search").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      AgentId agent = Params.parsedQuery(ctx, "agentId", s -> {
        try {
          return AgentId.parse(s);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("'" + Params.abbreviate(s) + "' is not an agent id");
        }
      });
      String channel = Params.parsedQuery(ctx, "channel", s -> io.switchboard.hub.api.Channel.fromWire(s).wireName());
      java.time.Instant from = Params.parsedQuery(ctx, "from", InteractionRoutes::instant);
      java.time.Instant to = Params.parsedQuery(ctx, "to", InteractionRoutes::instant);
      String customer = Params.query(ctx, "customer");
      String text = Params.query(ctx, "text");
      for (String[] v : new String[][] {{"customer", customer}, {"text", text}}) {
        if (v[1] != null && v[1].length() > 200) {
          throw Problems.BadRequest.field(v[0], "is longer than 200 characters");
        }
      }
      int limit = Params.intQuery(ctx, "limit", 50, 1, io.switchboard.hub.core.interaction.ConversationSearch.MAX_LIMIT);
      Respond.json(ctx, search.search(Authn.staff(ctx), new io.switchboard.hub.core.interaction.ConversationSearch.Criteria(
          customer, text, agent, channel, from, to, limit)), 200, hits -> {
            io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
            hits.forEach(h -> items.add(new JsonObject().put("interactionId", h.interactionId().toString())
                .put("channel", h.channel()).put("state", h.state()).put("queue", h.queueId())
                .put("agentId", h.agentId() == null ? null : h.agentId().toString()).put("agentName", h.agentName())
                .put("customerId", h.customerId().toString()).put("customerName", h.customerName()).put("subject", h.subject())
                .put("createdAt", h.createdAt().toString()).put("endedAt", h.endedAt() == null ? null : h.endedAt().toString())
                .put("snippet", h.snippet() == null ? null : h.snippet().length() > 300 ? h.snippet().substring(0, 297) + "..." : h.snippet())));
            return new JsonObject().put("items", items);
          });
    });
  }

  private static java.time.Instant instant(String s) {
    try {
      return java.time.Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + Params.abbreviate(s) + "' is not a time (ISO 8601, e.g. 2026-11-23T00:00:00Z)");
    }
  }

  static void mount(Router router, InteractionQueries interactions, Authn authn) {
    var staff = authn.staff(Role.AGENT);
    router.get("/api/v1/interactions").handler(staff).handler(ctx -> {
      InteractionState state = Params.parsedQuery(ctx, "state", InteractionState::fromWire);
      String queue = Params.query(ctx, "queue");
      AgentId agent = Params.parsedQuery(ctx, "agentId", s -> {
        try {
          return AgentId.parse(s);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("'" + Params.abbreviate(s) + "' is not an agent id");
        }
      });
      int limit = Params.intQuery(ctx, "limit", 50, 1, 200);
      var cursor = Cursors.parse(Params.query(ctx, "cursor"));
      Respond.json(ctx, interactions.list(Authn.staff(ctx), state, queue, agent, cursor, limit), 200, page -> new JsonObject()
          .put("items", ApiJson.array(page, ApiJson::interaction))
          .put("nextCursor", Cursors.next(page, limit)));
    });
    router.get("/api/v1/interactions/:id").handler(staff).handler(ctx ->
        Respond.json(ctx, interactions.get(Authn.staff(ctx), Params.pathId(ctx, "id", InteractionId::parse)), 200, d ->
            ApiJson.interaction(d.interaction())
                .put("messages", ApiJson.array(d.messages(), ApiJson::message))
                .put("transitions", ApiJson.array(d.transitions(), ApiJson::transition))
                .put("reply", new JsonObject().put("state", d.reply().state().wireName()).put("reason", d.reply().reason()))
                .put("customerLeft", d.customerLeft() == null ? null : new JsonObject()
                    .put("at", d.customerLeft().at().toString()).put("reason", d.customerLeft().reason()))
                .put("routing", d.routing())));
  }
}

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
                    .put("at", d.customerLeft().at().toString()).put("reason", d.customerLeft().reason()))));
  }
}

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.routing.QueueMembership;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Agents' queue membership (routing profiles, #9.5, docs/routing.md "Queue membership"): supervisors and admins read
 * {@code GET /api/v1/agents/{id}/queues} and {@code GET /api/v1/queues/{id}/members}; admins replace an agent's list
 * with {@code PUT /api/v1/agents/{id}/queues}.
 */
final class QueueMembershipRoutes {
  private QueueMembershipRoutes() {}

  /** Body of {@code PUT /api/v1/agents/{id}/queues}: the queue ids the agent serves; {@code []} for every queue. */
  record QueuesRequest(List<String> queues) {
    QueuesRequest {
      if (queues == null) {
        throw new ValidationException("queues", "is required: a list of queue ids ([] for every queue)");
      }
    }
  }

  static void mount(Router router, QueueMembership membership, Authn authn) {
    router.get("/api/v1/agents/:id/queues").handler(authn.staff(Role.SUPERVISOR)).handler(ctx ->
        Respond.json(ctx, membership.of(Params.pathId(ctx, "id", AgentId::parse)), 200, QueueMembershipRoutes::json));
    router.put("/api/v1/agents/:id/queues").handler(authn.staff(Role.ADMIN)).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      QueuesRequest body = JsonBodies.read(ctx, QueuesRequest.class);
      Respond.json(ctx, membership.set(Authn.principal(ctx), id, body.queues()), 200, QueueMembershipRoutes::json);
    });
    router.get("/api/v1/queues/:id/members").handler(authn.staff(Role.SUPERVISOR)).handler(ctx -> {
      String queue = ctx.pathParam("id");
      Respond.json(ctx, membership.members(queue), 200, members -> {
        JsonArray out = new JsonArray();
        members.forEach(m -> out.add(new JsonObject().put("agentId", m.agent().id().toString())
            .put("username", m.agent().username()).put("displayName", m.agent().displayName())
            .put("assigned", m.assigned())));
        return new JsonObject().put("queue", queue).put("known", membership.known(queue)).put("members", out);
      });
    });
  }

  static JsonObject json(QueueMembership.Assignment a) {
    return new JsonObject().put("agentId", a.agentId().toString()).put("queues", new JsonArray(a.queues()))
        .put("servesAllQueues", a.servesAllQueues()).put("unknownQueues", new JsonArray(a.unknownQueues()));
  }
}

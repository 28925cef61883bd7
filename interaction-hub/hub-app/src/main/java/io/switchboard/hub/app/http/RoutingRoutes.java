package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.auth.Scopes;
import io.switchboard.hub.core.console.ConsoleSettingsService;
import io.switchboard.hub.core.routing.AgentState;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.RoutingRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Routing over HTTP: agent states and presence, offers (accept, decline), end and wrap-up, a customer
 * leaving, decision explanations, and the rules (versions, diff, upload, reload, rollback).
 */
final class RoutingRoutes {
  record StateRequest(String state, String reason) {
    StateRequest {
      if (state == null) {
        throw new ValidationException("state", "is required (available, busy, break or offline)");
      }
    }
  }

  record WrapUpRequest(String disposition, String notes) {}

  record AbandonRequest(String reason) {}

  record TransferRequest(String queue, String agentId, String note) {}

  record MoveRequest(String queue) {}

  /** A new rules text; {@code baseVersion} (optional): the version the draft started from, 409 when another is active. */
  record RulesUpload(String source, Integer baseVersion) {
    RulesUpload {
      if (baseVersion != null && baseVersion < 1) {
        throw new ValidationException("baseVersion", "is not a version number");
      }
      if (source == null || source.isBlank()) {
        throw new ValidationException("source", "is required: the routing.yaml text");
      }
      if (source.length() > 512 * 1024) {
        throw new ValidationException("source", "is longer than 512 KiB");
      }
    }
  }

  static void mount(Router router, RoutingService routing, ConsoleSettingsService console, Authn authn) {
    var agent = authn.staff(Role.AGENT);
    var supervisor = authn.staff(Role.SUPERVISOR);
    var admin = authn.staff(Role.ADMIN);
    RulesService rules = routing.rules();

    router.put("/api/v1/agents/:id/state").handler(agent).handler(ctx -> {
      StateRequest req = JsonBodies.read(ctx, StateRequest.class);
      AgentState state;
      try {
        state = AgentState.fromWire(req.state());
      } catch (IllegalArgumentException e) {
        throw new ValidationException("state", e.getMessage());
      }
      Respond.noContent(ctx, routing.setState(Authn.staff(ctx), agentId(ctx), state, req.reason()));
    });
    router.get("/api/v1/agents/:id/state").handler(agent).handler(ctx ->
        Respond.json(ctx, routing.roster().of(selfOrSupervisor(ctx)).map(m -> m.live()), 200, RoutingRoutes::agentJson));
    router.post("/api/v1/agents/me/heartbeat").handler(agent).handler(ctx ->
        Respond.noContent(ctx, routing.heartbeat(Authn.staff(ctx).agentId())));
    router.get("/api/v1/agents/me/offers").handler(agent).handler(ctx ->
        Respond.json(ctx, routing.offersFor(Authn.staff(ctx).agentId()), 200, offers -> {
          JsonArray out = new JsonArray();
          offers.forEach(o -> out.add(new JsonObject().put("interactionId", o.interactionId()).put("channel", o.channel())
              .put("offeredAt", o.offeredAt().toString()).put("expiresAt", o.expiresAt().toString())));
          return out;
        }));

    router.post("/api/v1/interactions/:id/accept").handler(agent).handler(ctx ->
        Respond.noContent(ctx, routing.accept(Authn.staff(ctx), interactionId(ctx))));
    router.post("/api/v1/interactions/:id/decline").handler(agent).handler(ctx ->
        Respond.noContent(ctx, routing.decline(Authn.staff(ctx), interactionId(ctx))));
    router.post("/api/v1/interactions/:id/end").handler(agent).handler(ctx ->
        Respond.json(ctx, routing.end(Authn.staff(ctx), interactionId(ctx)), 200,
            state -> new JsonObject().put("state", state.wireName())));
    router.post("/api/v1/interactions/:id/wrap-up").handler(agent).handler(ctx -> {
      WrapUpRequest req = JsonBodies.read(ctx, WrapUpRequest.class);
      // The settings in force now: a disposition removed by a reload is refused from then on.
      console.current().checkWrapUp(req.disposition(), req.notes());
      Respond.noContent(ctx, routing.wrapUp(Authn.staff(ctx), interactionId(ctx), req.disposition(), req.notes()));
    });
    router.post("/api/v1/interactions/:id/transfer").handler(agent).handler(ctx -> {
      TransferRequest req = JsonBodies.read(ctx, TransferRequest.class);
      AgentId to = null;
      if (req.agentId() != null) {
        try {
          to = AgentId.parse(req.agentId());
        } catch (IllegalArgumentException e) {
          throw new ValidationException("agentId", "is not an agent id (a UUID)");
        }
      }
      Respond.json(ctx, routing.transfers().transfer(Authn.staff(ctx), interactionId(ctx), req.queue(), to, req.note()), 200,
          r -> new JsonObject().put("interactionId", r.interactionId().toString()).put("state", "queued").put("queue", r.queue())
              .put("fromAgentId", r.fromAgent().toString()).put("toAgentId", r.toAgent() == null ? null : r.toAgent().toString())
              .put("noteMessageId", r.noteId() == null ? null : r.noteId().toString()));
    });
    router.post("/api/v1/interactions/:id/move").handler(supervisor).handler(ctx -> {
      MoveRequest req = JsonBodies.read(ctx, MoveRequest.class);
      Respond.json(ctx, routing.transfers().move(Authn.staff(ctx), interactionId(ctx), req.queue()), 200,
          r -> new JsonObject().put("interactionId", r.interactionId().toString()).put("state", "queued")
              .put("fromQueue", r.fromQueue()).put("queue", r.queue()));
    });
    router.post("/api/v1/interactions/:id/abandon").handler(authn.integration(Scopes.INBOUND)).handler(ctx -> {
      AbandonRequest req = JsonBodies.read(ctx, AbandonRequest.class);
      String reason = req.reason() == null || req.reason().isBlank() ? "customer left" : req.reason();
      if (reason.length() > 200) {
        throw new ValidationException("reason", "is longer than 200 characters");
      }
      Respond.json(ctx, routing.abandon(interactionId(ctx), reason), 200, done -> new JsonObject().put("abandoned", done));
    });
    router.get("/api/v1/interactions/:id/routing").handler(supervisor).handler(ctx -> {
      String asked = ctx.request().getParam("agent");
      Respond.json(ctx, asked == null ? routing.explain(interactionId(ctx)) : routing.explain(interactionId(ctx), agentParam(asked)),
          200, j -> j);
    });

    router.get("/api/v1/routing/rules").handler(supervisor).handler(ctx -> {
      RoutingRules current = rules.current();
      JsonObject out = new JsonObject().put("version", current.version()).put("source", current.sourceText());
      RulesService.ReloadResult rejected = rules.lastRejected();
      if (rejected != null) {
        out.put("lastRejected", reloadJson(rejected));
      }
      ctx.json(out);
    });
    router.get("/api/v1/routing/rules/versions").handler(supervisor).handler(ctx -> {
      int limit = Params.intQuery(ctx, "limit", 50, 1, 500);
      Respond.json(ctx, rules.versions(limit), 200, list -> {
        JsonArray out = new JsonArray();
        list.forEach(v -> out.add(new JsonObject().put("version", v.version()).put("sha256", v.sha256()).put("origin", v.origin())
            .put("createdBy", v.createdBy()).put("createdAt", v.createdAt().toString()).put("active", v.active())));
        return out;
      });
    });
    router.get("/api/v1/routing/rules/versions/:version").handler(supervisor).handler(ctx ->
        Respond.json(ctx, rules.version(version(ctx, "version")), 200, v -> new JsonObject().put("version", v.version())
            .put("source", v.sourceText()).put("origin", v.origin()).put("createdBy", v.createdBy())
            .put("createdAt", v.createdAt().toString()).put("active", v.active())));
    router.get("/api/v1/routing/rules/diff").handler(supervisor).handler(ctx -> {
      int from = Params.intQuery(ctx, "from", -1, 1, Integer.MAX_VALUE);
      int to = Params.intQuery(ctx, "to", -1, 1, Integer.MAX_VALUE);
      if (from < 0 || to < 0) {
        throw new Problems.BadRequest("give both from and to versions");
      }
      Respond.json(ctx, rules.diff(from, to), 200, lines -> new JsonObject().put("from", from).put("to", to).put("lines", new JsonArray(lines)));
    });
    router.post("/api/v1/routing/rules").handler(admin).handler(ctx -> {
      RulesUpload req = JsonBodies.read(ctx, RulesUpload.class);
      Principal by = Authn.principal(ctx);
      Respond.json(ctx, rules.apply(req.source(), "api:" + by.auditName(), by, req.baseVersion()), r -> r.applied() ? 200 : 422,
          RoutingRoutes::reloadJson);
    });
    router.post("/api/v1/routing/rules/reload").handler(admin).handler(ctx ->
        Respond.json(ctx, rules.reloadFile(Authn.principal(ctx)), r -> r.applied() ? 200 : 422, RoutingRoutes::reloadJson));
    router.post("/api/v1/routing/rules/versions/:version/rollback").handler(admin).handler(ctx ->
        Respond.json(ctx, rules.rollback(version(ctx, "version"), Authn.principal(ctx)), r -> r.applied() ? 200 : 422, RoutingRoutes::reloadJson));
    router.post("/api/v1/routing/rebuild").handler(admin).handler(ctx ->
        Respond.json(ctx, routing.rebuild(true), 200, done -> new JsonObject().put("rebuilt", done)));
  }

  static JsonObject reloadJson(RulesService.ReloadResult r) {
    JsonArray problems = new JsonArray();
    r.problems().forEach(p -> problems.add(new JsonObject().put("file", p.file()).put("line", p.line()).put("key", p.key()).put("message", p.message())));
    JsonObject out = new JsonObject().put("applied", r.applied()).put("version", r.version()).put("message", r.message());
    if (!problems.isEmpty()) {
      out.put("problems", problems);
    }
    return out;
  }

  static JsonObject agentJson(RoutingState.AgentLive a) {
    return new JsonObject()
        .put("agentId", a.agentId())
        .put("state", a.state())
        .put("reason", a.reason())
        .put("since", a.since().toString())
        .put("present", a.present())
        .put("idleSince", a.idleSince().toString())
        .put("skills", new JsonObject(new java.util.LinkedHashMap<>(a.skills())))
        .put("capacity", new JsonObject(new java.util.LinkedHashMap<>(a.capacity())))
        .put("load", new JsonObject(new java.util.LinkedHashMap<>(a.load())));
  }

  private static AgentId agentId(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    return "me".equals(raw) ? Authn.staff(ctx).agentId() : Params.pathId(ctx, "id", AgentId::parse);
  }

  private static AgentId selfOrSupervisor(RoutingContext ctx) {
    AgentId id = agentId(ctx);
    Principal.Staff me = Authn.staff(ctx);
    if (!me.agentId().equals(id) && !me.role().atLeast(Role.SUPERVISOR)) {
      throw new ForbiddenException("agents may only read their own state");
    }
    return id;
  }

  private static InteractionId interactionId(RoutingContext ctx) {
    return Params.pathId(ctx, "id", InteractionId::parse);
  }

  private static int version(RoutingContext ctx, String name) {
    try {
      int v = Integer.parseInt(ctx.pathParam(name));
      if (v < 1) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw Problems.BadRequest.field(name, "is not a version number");
    }
  }

  /** The {@code agent} query parameter: an agent id, else 422 naming it. */
  private static io.switchboard.hub.api.AgentId agentParam(String text) {
    try {
      return io.switchboard.hub.api.AgentId.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("agent", "must be an agent id");
    }
  }

}

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.agent.AgentProfile;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.routing.QueueMembership;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.EnumMap;
import java.util.Map;

/** {@code /api/v1/agents}, the colleague directory {@code /api/v1/directory/agents} and {@code /api/v1/queues}. */
final class StaffRoutes {
  record CreateAgentRequest(
      String username, String displayName, String role, String password, Map<String, Integer> skills,
      Map<String, Integer> capacity) {
    AgentDraft toDraft() {
      Role r = null;
      if (role == null) {
        throw new ValidationException("role", "is required (agent, supervisor or admin)");
      }
      try {
        r = Role.fromWire(role);
      } catch (IllegalArgumentException e) {
        throw new ValidationException("role", e.getMessage());
      }
      Map<Channel, Integer> cap = new EnumMap<>(Channel.class);
      if (capacity != null) {
        for (var e : capacity.entrySet()) {
          try {
            cap.put(Channel.fromWire(e.getKey()), e.getValue());
          } catch (IllegalArgumentException ex) {
            throw new ValidationException("capacity." + e.getKey(), ex.getMessage());
          }
        }
      }
      return new AgentDraft(username, displayName, r, password, skills, cap);
    }
  }

  /** Body of {@code PUT /api/v1/agents/{id}/profile}. */
  record ProfileRequest(String displayName, Map<String, Integer> skills, Map<String, Integer> capacity) {
    AgentProfile toProfile() {
      Map<Channel, Integer> cap = new EnumMap<>(Channel.class);
      if (capacity != null) {
        for (var e : capacity.entrySet()) {
          try {
            cap.put(Channel.fromWire(e.getKey()), e.getValue());
          } catch (IllegalArgumentException ex) {
            throw new ValidationException("capacity." + e.getKey(), ex.getMessage());
          }
        }
      }
      if (skills != null && skills.containsValue(null)) {
        throw new ValidationException("skills", "proficiency must be 1 to 5");
      }
      return new AgentProfile(displayName, skills, cap);
    }
  }

  /**
   * Body of {@code PUT /api/v1/agents/{id}/phone}: an Asterisk dial string such as {@code PJSIP/1001} or
   * {@code Local/1001@phones}, or null to remove it. Commas, spaces and other dial-string separators are refused,
   * so the value can never add options to the dial.
   */
  record PhoneEndpointRequest(String endpoint) {
    static final java.util.regex.Pattern DIAL_STRING = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}/[A-Za-z0-9_@.:+\\-/]{1,160}");

    PhoneEndpointRequest {
      if (endpoint != null && !DIAL_STRING.matcher(endpoint).matches()) {
        throw new ValidationException("endpoint",
            "must be an Asterisk dial string such as PJSIP/1001 or Local/1001@phones (letters, digits and _ @ . : + - / only)");
      }
    }
  }

  static void mount(Router router, AgentService agents, RoutingService routing, QueueMembership queues, Authn authn) {
    // Colleagues to transfer to: every active agent (role agent: supervisors and admins do not take transfers)
    // with their live state, readable by any staff member (names and states only; skills, capacity and work stay
    // with supervisors).
    router.get("/api/v1/directory/agents").handler(authn.staff(Role.AGENT)).handler(ctx ->
        Respond.json(ctx, routing.roster().all().map(members -> {
          JsonArray out = new JsonArray();
          members.stream().filter(m -> m.agent().active() && m.agent().role() == Role.AGENT).forEach(m -> {
            var a = m.agent();
            var l = m.live();
            out.add(new JsonObject().put("id", a.id().toString()).put("username", a.username())
                .put("displayName", a.displayName()).put("role", a.role().wireName())
                .put("state", l.state()).put("reason", l.reason()).put("since", l.since().toString())
                .put("present", l.present()));
          });
          return out;
        }), 200, j -> j));
    router.get("/api/v1/agents").handler(authn.staff(Role.SUPERVISOR)).handler(ctx ->
        Respond.json(ctx, agents.list(), 200, list -> ApiJson.array(list, ApiJson::agent)));
    router.post("/api/v1/agents").handler(authn.staff(Role.ADMIN)).handler(ctx -> {
      AgentDraft draft = JsonBodies.read(ctx, CreateAgentRequest.class).toDraft();
      // Routing holds the new agent at once (offline since now), so every view shows it the same way.
      Respond.json(ctx, agents.create(Authn.principal(ctx), draft).compose(a -> routing.syncProfile(a.id()).map(a)).onSuccess(a ->
          ctx.response().putHeader("Location", "/api/v1/agents/" + a.id())), 201, ApiJson::agent);
    });
    router.get("/api/v1/agents/:id").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Principal.Staff me = Authn.staff(ctx);
      if (!me.role().atLeast(Role.SUPERVISOR) && !me.agentId().equals(id)) {
        throw new ForbiddenException("agents may only read their own record");
      }
      Respond.json(ctx, agents.get(id), 200, ApiJson::agent);
    });
    // The agent's phone endpoint for the voice channel (an Asterisk dial string), rung when an offer reaches them.
    router.get("/api/v1/agents/:id/phone").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Principal.Staff me = Authn.staff(ctx);
      if (!me.role().atLeast(Role.SUPERVISOR) && !me.agentId().equals(id)) {
        throw new ForbiddenException("agents may only read their own phone endpoint");
      }
      Respond.json(ctx, agents.phoneEndpoint(id), 200,
          endpoint -> new JsonObject().put("agentId", id.toString()).put("endpoint", endpoint.orElse(null)));
    });
    router.put("/api/v1/agents/:id/phone").handler(authn.staff(Role.SUPERVISOR)).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      PhoneEndpointRequest body = JsonBodies.read(ctx, PhoneEndpointRequest.class);
      Principal.Staff me = Authn.staff(ctx);
      Respond.json(ctx, agents.setPhoneEndpoint(me, id, body.endpoint()), 200, x -> new JsonObject().put("agentId", id.toString()).put("endpoint", body.endpoint()));
    });
    // Admins set skills with proficiency, capacities and the display name; live routing takes them at once.
    router.put("/api/v1/agents/:id/profile").handler(authn.staff(Role.ADMIN)).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      AgentProfile profile = JsonBodies.read(ctx, ProfileRequest.class).toProfile();
      Respond.json(ctx, agents.updateProfile(Authn.principal(ctx), id, profile)
          .compose(a -> routing.syncProfile(id).map(a)), 200, ApiJson::agent);
    });
    router.get("/api/v1/queues").handler(authn.staff(Role.AGENT)).handler(ctx ->
        Respond.json(ctx, queues.queues(), 200, list -> ApiJson.array(list, ApiJson::queue)));
  }
}

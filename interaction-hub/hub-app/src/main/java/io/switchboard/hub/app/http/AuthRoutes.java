package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.access.Rights;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code /api/v1/auth}: login, logout, who am I. */
final class AuthRoutes {
  record LoginRequest(String username, String password) {
    LoginRequest {
      if (username == null || username.isBlank()) {
        throw new ValidationException("username", "is required");
      }
      if (password == null || password.isEmpty()) {
        throw new ValidationException("password", "is required");
      }
    }
  }

  static void mount(Router router, AuthService auth, Authn authn, RoutingService routing, Rights rights) {
    router.post("/api/v1/auth/login").handler(ctx -> {
      LoginRequest req = JsonBodies.read(ctx, LoginRequest.class);
      ctx.response().putHeader("Cache-Control", "no-store");
      Respond.json(ctx, auth.login(req.username(), req.password(), ctx.request().remoteAddress().hostAddress()), 200, login -> new JsonObject()
          .put("token", login.token())
          .put("tokenType", "Bearer")
          .put("expiresAt", login.expiresAt().toString())
          .put("agent", staffJson(login.staff())));
    });
    // Signing out ends the session and makes the agent offline, its pending offers back to the queue (#10.4).
    router.post("/api/v1/auth/logout").handler(authn.staff(Role.AGENT)).handler(ctx ->
        Respond.noContent(ctx, auth.logout(Authn.staff(ctx), Authn.bearer(ctx)).compose(x -> routing.signedOut(Authn.staff(ctx).agentId()))));
    // With the rights the caller has (security.rights), so the console shows only the controls the hub would allow.
    router.get("/api/v1/auth/me").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      Principal.Staff me = Authn.staff(ctx);
      io.vertx.core.json.JsonArray granted = new io.vertx.core.json.JsonArray();
      for (Rights.Right r : Rights.Right.values()) {
        if (rights.has(me, r)) {
          granted.add(r.key());
        }
      }
      ctx.json(staffJson(me).put("rights", granted));
    });
  }

  static JsonObject staffJson(Principal.Staff s) {
    return new JsonObject().put("id", s.agentId().toString()).put("username", s.username()).put("role", s.role().wireName());
  }
}

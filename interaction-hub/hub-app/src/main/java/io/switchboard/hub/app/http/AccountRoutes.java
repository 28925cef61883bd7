package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Accounts' lifecycle: a staff member changes their own password ({@code POST /api/v1/auth/password}); admins
 * disable and enable accounts, reset passwords, change roles and end every session of an account. Each is audited
 * and takes effect at once on every node (see {@link io.switchboard.hub.core.auth.AccountLifecycle}).
 */
final class AccountRoutes {
  record PasswordChange(String oldPassword, String newPassword) {
    PasswordChange {
      if (oldPassword == null || oldPassword.isEmpty()) {
        throw new ValidationException("oldPassword", "is required");
      }
      if (newPassword == null) {
        throw new ValidationException("newPassword", "is required");
      }
    }
  }

  record PasswordReset(String password) {
    PasswordReset {
      if (password == null) {
        throw new ValidationException("password", "is required");
      }
    }
  }

  record RoleChange(String role) {
    Role parsed() {
      if (role == null) {
        throw new ValidationException("role", "is required (agent, supervisor or admin)");
      }
      try {
        return Role.fromWire(role);
      } catch (IllegalArgumentException e) {
        throw new ValidationException("role", e.getMessage());
      }
    }
  }

  static void mount(Router router, AuthService auth, AgentService agents, Authn authn) {
    router.post("/api/v1/auth/password").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      PasswordChange req = JsonBodies.read(ctx, PasswordChange.class);
      ctx.response().putHeader("Cache-Control", "no-store");
      Respond.json(ctx, auth.accounts().changeOwnPassword(Authn.staff(ctx), req.oldPassword(), req.newPassword()), 200, login -> new JsonObject()
          .put("token", login.token())
          .put("tokenType", "Bearer")
          .put("expiresAt", login.expiresAt().toString())
          .put("agent", AuthRoutes.staffJson(login.staff())));
    });
    var admin = authn.staff(Role.ADMIN);
    router.post("/api/v1/agents/:id/disable").handler(admin).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Respond.json(ctx, auth.accounts().setActive(Authn.principal(ctx), id, false).compose(a -> agents.get(id)), 200, ApiJson::agent);
    });
    router.post("/api/v1/agents/:id/enable").handler(admin).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Respond.json(ctx, auth.accounts().setActive(Authn.principal(ctx), id, true).compose(a -> agents.get(id)), 200, ApiJson::agent);
    });
    router.put("/api/v1/agents/:id/password").handler(admin).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      PasswordReset req = JsonBodies.read(ctx, PasswordReset.class);
      Respond.noContent(ctx, auth.accounts().resetPassword(Authn.principal(ctx), id, req.password()));
    });
    router.put("/api/v1/agents/:id/role").handler(admin).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Role role = JsonBodies.read(ctx, RoleChange.class).parsed();
      Respond.json(ctx, auth.accounts().setRole(Authn.principal(ctx), id, role).compose(a -> agents.get(id)), 200, ApiJson::agent);
    });
    router.delete("/api/v1/agents/:id/sessions").handler(admin).handler(ctx -> {
      AgentId id = Params.pathId(ctx, "id", AgentId::parse);
      Respond.noContent(ctx, auth.accounts().revokeSessions(Authn.principal(ctx), id));
    });
  }
}

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.audit.AuditLog;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.store.AuditStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.HashSet;
import java.util.List;

/** Admin only: API keys for integrations and the audit log. */
final class AdminRoutes {
  record CreateApiKeyRequest(String name, List<String> scopes) {
    CreateApiKeyRequest {
      if (name == null) {
        throw new ValidationException("name", "is required");
      }
      if (scopes == null || scopes.isEmpty()) {
        throw new ValidationException("scopes", "is required: a list such as [\"inbound\"]");
      }
    }
  }

  static void mount(Router router, AuthService auth, AuditLog audit, Authn authn) {
    var admin = authn.staff(Role.ADMIN);
    router.get("/api/v1/api-keys").handler(admin).handler(ctx ->
        Respond.json(ctx, auth.apiKeys().list(), 200, list -> ApiJson.array(list, ApiJson::apiKey)));
    router.post("/api/v1/api-keys").handler(admin).handler(ctx -> {
      CreateApiKeyRequest req = JsonBodies.read(ctx, CreateApiKeyRequest.class);
      Respond.json(ctx, auth.apiKeys().create(Authn.principal(ctx), req.name(), new HashSet<>(req.scopes()), null), 201,
          created -> ApiJson.apiKey(created.key()).put("secret", created.secret()));
    });
    router.delete("/api/v1/api-keys/:id").handler(admin).handler(ctx ->
        Respond.json(ctx, auth.apiKeys().revoke(Authn.principal(ctx), Params.pathUuid(ctx, "id")), 200, ApiJson::apiKey));
    router.get("/api/v1/audit").handler(admin).handler(ctx -> {
      int limit = Params.intQuery(ctx, "limit", 50, 1, 500);
      Long before = Params.parsedQuery(ctx, "before", s -> {
        try {
          return Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + Params.abbreviate(s) + "' is not an audit entry id");
        }
      });
      var filter = new AuditStore.Filter(Params.query(ctx, "entityType"), Params.query(ctx, "entityId"),
          Params.query(ctx, "actor"), Params.query(ctx, "action"), instant(ctx, "from"), instant(ctx, "to"));
      Respond.json(ctx, audit.list(filter, before, limit), 200, list -> new JsonObject()
          .put("items", ApiJson.array(list, ApiJson::audit))
          .put("nextBefore", list.size() == limit ? list.get(list.size() - 1).id() : null));
    });
  }

  private static java.time.Instant instant(io.vertx.ext.web.RoutingContext ctx, String name) {
    return Params.parsedQuery(ctx, name, v -> {
      try {
        return java.time.OffsetDateTime.parse(v).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("'" + Params.abbreviate(v) + "' is not a time such as 2026-12-06T08:00:00Z");
      }
    });
  }
}

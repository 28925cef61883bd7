package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.webhooks.WebhookService;
import io.switchboard.hub.store.WebhookStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.List;

/** Admin only: outbound webhook subscriptions, their test ping and delivery log (docs/webhooks.md). */
final class WebhookRoutes {
  record CreateWebhookRequest(String url, List<String> events, String description) {}

  private WebhookRoutes() {}

  static void mount(Router router, WebhookService webhooks, Authn authn) {
    var admin = authn.staff(Role.ADMIN);
    router.post("/api/v1/webhooks").handler(admin).handler(ctx -> {
      CreateWebhookRequest req = JsonBodies.read(ctx, CreateWebhookRequest.class);
      Respond.json(ctx, webhooks.create(req.url(), req.events(), req.description(), Authn.principal(ctx)), 201,
          c -> json(c.subscription()).put("secret", c.secret()));
    });
    router.get("/api/v1/webhooks").handler(admin).handler(ctx ->
        Respond.json(ctx, webhooks.list(), 200, list -> new JsonObject().put("items", ApiJson.array(list, WebhookRoutes::json))));
    router.get("/api/v1/webhooks/:id").handler(admin).handler(ctx ->
        Respond.json(ctx, webhooks.get(Params.pathUuid(ctx, "id")), 200, WebhookRoutes::json));
    router.delete("/api/v1/webhooks/:id").handler(admin).handler(ctx ->
        Respond.noContent(ctx, webhooks.delete(Params.pathUuid(ctx, "id"), Authn.principal(ctx))));
    router.post("/api/v1/webhooks/:id/enable").handler(admin).handler(ctx ->
        Respond.json(ctx, webhooks.enable(Params.pathUuid(ctx, "id"), Authn.principal(ctx)), 200, WebhookRoutes::json));
    router.post("/api/v1/webhooks/:id/ping").handler(admin).handler(ctx ->
        Respond.json(ctx, webhooks.ping(Params.pathUuid(ctx, "id"), Authn.principal(ctx)), 202,
            eventId -> new JsonObject().put("eventId", eventId)));
    router.get("/api/v1/webhooks/:id/deliveries").handler(admin).handler(ctx -> {
      int limit = Params.intQuery(ctx, "limit", 50, 1, 500);
      Instant before = Params.parsedQuery(ctx, "before", Instant::parse);
      Respond.json(ctx, webhooks.deliveries(Params.pathUuid(ctx, "id"), before, limit), 200, list -> new JsonObject()
          .put("items", ApiJson.array(list, WebhookRoutes::json))
          .put("nextBefore", list.size() == limit ? list.get(list.size() - 1).createdAt().toString() : null));
    });
  }

  static JsonObject json(WebhookStore.Subscription s) {
    return new JsonObject().put("id", s.id().toString()).put("url", s.url()).put("events", new JsonArray(s.events()))
        .put("description", s.description()).put("active", s.active()).put("failuresInRow", s.failuresInRow())
        .put("disabledAt", s.disabledAt() == null ? null : s.disabledAt().toString()).put("disabledReason", s.disabledReason())
        .put("createdBy", s.createdBy()).put("createdAt", s.createdAt().toString());
  }

  static JsonObject json(WebhookStore.LogEntry e) {
    return new JsonObject().put("id", e.id().toString()).put("event", e.event()).put("eventId", e.eventId()).put("status", e.status())
        .put("attempts", e.attempts()).put("lastStatusCode", e.lastStatusCode()).put("lastError", e.lastError())
        .put("lastAttemptAt", e.lastAttemptAt() == null ? null : e.lastAttemptAt().toString())
        .put("deliveredAt", e.deliveredAt() == null ? null : e.deliveredAt().toString()).put("createdAt", e.createdAt().toString());
  }
}

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.quarantine.QuarantineService;
import io.switchboard.hub.store.InteractionStore;
import io.switchboard.hub.store.QuarantineStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * {@code /api/v1/quarantine}: messages adapters set aside because they could not take them in (supervisors and
 * admins): the list, the raw message as a download, and dismissing one once handled.
 */
final class QuarantineRoutes {
  static final String PATH = "/api/v1/quarantine";

  private QuarantineRoutes() {}

  static void mount(Router router, QuarantineService quarantine, Authn authn) {
    var supervisor = authn.staff(Role.SUPERVISOR);
    router.get(PATH).handler(supervisor).handler(ctx -> {
      int limit = Params.intQuery(ctx, "limit", 50, 1, 200);
      String dismissed = Params.query(ctx, "dismissed");
      if (dismissed != null && !dismissed.equals("true") && !dismissed.equals("false")) {
        throw Problems.BadRequest.field("dismissed", "must be true or false");
      }
      InteractionStore.Cursor cursor = Cursors.parse(Params.query(ctx, "cursor"));
      Respond.json(ctx, quarantine.list(Authn.staff(ctx), "true".equals(dismissed), cursor == null ? null : cursor.createdAt(),
          cursor == null ? null : cursor.id(), limit), 200, page -> new JsonObject()
          .put("items", ApiJson.array(page, QuarantineRoutes::json))
          .put("nextCursor", page.size() < limit ? null : next(page.get(page.size() - 1))));
    });
    router.get(PATH + "/:id/raw").handler(supervisor).handler(ctx -> {
      UUID id = Params.pathId(ctx, "id", UUID::fromString);
      quarantine.raw(Authn.staff(ctx), id).onSuccess(raw -> ctx.response().setStatusCode(200)
          // Always a download, never shown inline: the raw message may hold anything.
          .putHeader("Content-Type", "message/rfc822".equals(raw.mediaType()) ? "message/rfc822" : "application/octet-stream")
          .putHeader("Content-Disposition", "attachment; filename=\"quarantined-" + id + ".eml\"")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
          .putHeader("Cache-Control", "private, no-store")
          .end(raw.bytes())).onFailure(ctx::fail);
    });
    router.post(PATH + "/:id/dismiss").handler(supervisor).handler(ctx ->
        Respond.json(ctx, quarantine.dismiss(Authn.staff(ctx), Params.pathId(ctx, "id", UUID::fromString)), 200,
            QuarantineRoutes::json));
  }

  static JsonObject json(QuarantineStore.Entry e) {
    return new JsonObject()
        .put("id", e.id().toString())
        .put("channel", e.channel().wireName())
        .put("source", e.source())
        .put("reference", e.reference())
        .put("reason", e.reason())
        .put("mediaType", e.mediaType())
        .put("sizeBytes", e.sizeBytes())
        .put("facts", e.facts() == null ? new JsonObject() : e.facts())
        .put("receivedAt", ApiJson.time(e.receivedAt()))
        .put("storedAt", ApiJson.time(e.storedAt()))
        .put("dismissedAt", ApiJson.time(e.dismissedAt()))
        .put("dismissedBy", e.dismissedBy())
        .put("rawUrl", PATH + "/" + e.id() + "/raw");
  }

  private static String next(QuarantineStore.Entry last) {
    String text = last.storedAt() + "|" + last.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}

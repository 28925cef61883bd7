package io.switchboard.hub.app.http;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.messaging.MessageService;
import io.vertx.ext.web.Router;

/** {@code /api/v1/interactions/{id}/messages}: agents answer customers and write private notes. */
final class MessageRoutes {
  record WriteRequest(String text, Boolean privateNote) {
    WriteRequest {
      if (text == null || text.isBlank()) {
        throw new ValidationException("text", "is required");
      }
    }
  }

  static void mount(Router router, MessageService messages, Authn authn) {
    router.post("/api/v1/interactions/:id/messages").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      WriteRequest req = JsonBodies.read(ctx, WriteRequest.class);
      InteractionId id = Params.pathId(ctx, "id", InteractionId::parse);
      Respond.json(ctx, messages.write(Authn.staff(ctx), id, req.text(), Boolean.TRUE.equals(req.privateNote())), 201, ApiJson::message);
    });
  }
}

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.messaging.EmailReply;
import io.switchboard.hub.core.messaging.MessageService;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/interactions/{id}/messages}: agents answer customers and write private notes. Replies in
 * email interactions may also give {@code to}, {@code cc}, {@code bcc}, {@code subject}, {@code attachments} and
 * {@code inReplyTo} (docs/email-replies.md); the console composes the text, quote included.
 */
final class MessageRoutes {
  record WriteRequest(
      String text, Boolean privateNote, List<String> to, List<String> cc, String subject, List<String> attachments,
      String inReplyTo, List<String> bcc) {
    WriteRequest {
      if (text == null || text.isBlank()) {
        throw new ValidationException("text", "is required");
      }
    }

    EmailReply email() {
      List<AttachmentId> ids = null;
      if (attachments != null) {
        ids = new ArrayList<>();
        for (int i = 0; i < attachments.size(); i++) {
          ids.add(id(attachments.get(i), "attachments[" + i + "]", AttachmentId::parse));
        }
      }
      MessageId answered = inReplyTo == null ? null : id(inReplyTo, "inReplyTo", MessageId::parse);
      return new EmailReply(to, cc, subject, ids, answered, bcc);
    }

    private static <T> T id(String raw, String field, java.util.function.Function<String, T> parse) {
      try {
        if (raw == null) {
          throw new IllegalArgumentException();
        }
        return parse.apply(raw);
      } catch (IllegalArgumentException e) {
        throw new ValidationException(field, "'" + Params.abbreviate(raw) + "' is not a valid id");
      }
    }
  }

  static void mount(Router router, MessageService messages, Authn authn) {
    router.post("/api/v1/interactions/:id/messages").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      WriteRequest req = JsonBodies.read(ctx, WriteRequest.class);
      InteractionId id = Params.pathId(ctx, "id", InteractionId::parse);
      Respond.json(ctx, messages.write(Authn.staff(ctx), id, req.text(), Boolean.TRUE.equals(req.privateNote()), req.email()),
          201, ApiJson::message);
    });
  }
}

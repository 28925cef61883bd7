package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.auth.Scopes;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/inbound}: integrations hand the hub a contact (API key with scope {@code inbound}).
 * 201 when it started an interaction, 200 when it joined an open one or was a re-delivery (same channel
 * and externalId: the first result comes back and nothing is stored).
 */
final class InboundRoutes {
  record InboundRequest(
      String channel, String externalId, Wire.Address sender, String senderName, String threadKey,
      List<String> references, String subject, Wire.Content content, Map<String, String> metadata,
      Instant receivedAt, List<Wire.Mailbox> to, List<Wire.Mailbox> cc) {
    InboundContact toContact() {
      if (channel == null) {
        throw new ValidationException("channel", "is required (voice, email, chat or social)");
      }
      Channel ch;
      try {
        ch = Channel.fromWire(channel);
      } catch (IllegalArgumentException e) {
        throw new ValidationException("channel", e.getMessage());
      }
      if (sender == null) {
        throw new ValidationException("sender", "is required");
      }
      if (content == null) {
        throw new ValidationException("content", "is required");
      }
      if (references != null && references.stream().anyMatch(r -> r == null || r.isBlank())) {
        throw new ValidationException("references", "must not contain empty entries");
      }
      if ((to != null || cc != null) && ch != Channel.EMAIL) {
        throw new ValidationException(to != null ? "to" : "cc", "only email contacts have recipients");
      }
      return new InboundContact(ch, externalId, sender.toSender("sender"), senderName, threadKey, references, subject,
          content.toContent("content"), metadata, receivedAt, Wire.Mailbox.toAddresses(to, "to"), Wire.Mailbox.toAddresses(cc, "cc"));
    }
  }

  static void mount(Router router, InboundSink intake, Authn authn) {
    router.post("/api/v1/inbound").handler(authn.integration(Scopes.INBOUND)).handler(ctx -> {
      InboundContact contact = JsonBodies.read(ctx, InboundRequest.class).toContact();
      Respond.json(ctx,
          intake.accept(contact).onSuccess(r ->
              ctx.response().putHeader("Location", "/api/v1/interactions/" + r.interactionId())),
          r -> r.outcome() == IntakeResult.Outcome.CREATED ? 201 : 200,
          ApiJson::intake);
    });
  }
}

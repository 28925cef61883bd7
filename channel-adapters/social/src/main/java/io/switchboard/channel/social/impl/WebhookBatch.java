package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one webhook delivery carries, already normalised: customer messages for the intake, status changes of
 * messages the hub sent, and (Messenger) receipts that cover every message sent before a moment. A batch is
 * built completely before anything is stored, so a malformed delivery stores nothing.
 *
 * @param contacts customer messages, in the order the provider listed them
 * @param statuses status changes of outbound messages, by provider message id
 * @param watermarks receipts that name no message: "everything sent to this customer before then"
 * @param refused messages the hub cannot take (for example an impossible sender id), with the reason; they
 *     are logged and acknowledged, since re-delivering them would not help
 */
public record WebhookBatch(
    List<InboundContact> contacts, List<StatusUpdate> statuses, List<Watermark> watermarks, List<String> refused) {

  public WebhookBatch {
    contacts = List.copyOf(contacts);
    statuses = List.copyOf(statuses);
    watermarks = List.copyOf(watermarks);
    refused = List.copyOf(refused);
  }

  /** A provider's report on one message the hub sent. */
  public record StatusUpdate(String providerMessageId, Message.Status status, String reason) {
    public StatusUpdate {
      Objects.requireNonNull(providerMessageId, "providerMessageId");
      Objects.requireNonNull(status, "status");
    }
  }

  /** Every message sent to {@code recipient} up to {@code until} reached {@code status} (Messenger receipts). */
  public record Watermark(String recipient, Instant until, Message.Status status) {
    public Watermark {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(status, "status");
    }
  }
}

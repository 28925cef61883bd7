package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one webhook delivery carries, already normalised: customer messages for the intake, status changes of
 * messages the hub sent, (Messenger) receipts that cover every message sent before a moment, and the parts that
 * could not be read. A batch is built completely before anything is stored; one unreadable message does not
 * keep the others from being stored.
 *
 * @param contacts customer messages, in the order the provider listed them
 * @param sources the provider's JSON of each contact (same order and size as {@code contacts}), kept for the
 *     quarantine should the hub refuse the contact
 * @param statuses status changes of outbound messages, by provider message id
 * @param watermarks receipts that name no message: "everything sent to this customer before then"
 * @param setAside parts of the delivery that could not be read or that the hub's vocabulary refuses (a required
 *     field missing, an over-long field): put in the quarantine with the reason and acknowledged, since
 *     delivering them again would not help
 * @param callbackQueries Telegram callback queries (button presses) to answer once the delivery is stored
 */
public record WebhookBatch(
    List<InboundContact> contacts, List<JsonObject> sources, List<StatusUpdate> statuses, List<Watermark> watermarks,
    List<SetAside> setAside, List<String> callbackQueries) {

  public WebhookBatch {
    contacts = List.copyOf(contacts);
    sources = List.copyOf(sources);
    if (sources.size() != contacts.size()) {
      throw new IllegalArgumentException("one source per contact");
    }
    statuses = List.copyOf(statuses);
    watermarks = List.copyOf(watermarks);
    setAside = List.copyOf(setAside);
    callbackQueries = List.copyOf(callbackQueries);
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

  /**
   * A part of the delivery that was not taken in.
   *
   * @param path its JSON path in the delivery ({@code entry[0].changes[0].value.messages[1]})
   * @param reason why, for the supervisor
   * @param raw the provider's JSON of that part
   */
  public record SetAside(String path, String reason, JsonObject raw) {
    public SetAside {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(raw, "raw");
    }
  }
}

package io.switchboard.hub.api;

import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One contact from a customer as an adapter received it: a call, an email, a chat line, a social message.
 * The hub dedupes on ({@link #channel}, {@link #externalId}), so an adapter that re-delivers the same
 * provider event gets the first result back and nothing new is stored.
 *
 * @param channel the channel it arrived on
 * @param externalId the provider's id of this event (Message-ID, call unique id, provider message id);
 *     stable across re-deliveries
 * @param sender who sent it, before normalisation
 * @param senderName the display name the provider gave, if any
 * @param threadKey the provider's thread or session (chat session id, social thread id, call id), if any
 * @param references earlier external ids this contact answers (email In-Reply-To and References)
 * @param subject a subject line, if the channel has one
 * @param content what it carries
 * @param metadata channel facts for routing: IVR choices, pre-chat answers, language, ...
 * @param receivedAt when the provider (or client) says the contact was sent or received: a claim, kept as the stored
 *     message's {@code sentAt} and shown as such; the hub's own times (queueing, service level, conversation order)
 *     start when the hub receives the contact, by its own clock. Null means "now"
 * @param to an email's To recipients (empty for other channels, or when unknown)
 * @param cc an email's Cc recipients (empty for other channels, or when unknown)
 * @param files files that came with it (email attachments, inline images), stored as the message's attachments;
 *     at most {@link #MAX_FILES}, together at most {@link #MAX_FILE_BYTES}
 * @param email an inbound email's quoted text and omitted parts; null for other channels
 * @param handling whether the hub routes a new interaction ({@link Handling#ROUTE}, the default) or only stores it
 */
public record InboundContact(
    Channel channel,
    String externalId,
    SenderAddress sender,
    String senderName,
    String threadKey,
    List<String> references,
    String subject,
    MessageContent content,
    Map<String, String> metadata,
    Instant receivedAt,
    List<EmailAddress> to,
    List<EmailAddress> cc,
    List<InboundFile> files,
    InboundEmail email,
    Handling handling) {

  public static final int MAX_EXTERNAL_ID = 512;
  public static final int MAX_SUBJECT = 998;
  public static final int MAX_TEXT = 256 * 1024;
  public static final int MAX_METADATA_ENTRIES = 64;
  public static final int MAX_METADATA_KEY = 64;
  public static final int MAX_METADATA_VALUE = 2048;
  public static final int MAX_REFERENCES = 100;
  public static final int MAX_RECIPIENTS = 100;
  public static final int MAX_FILES = 100;
  public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  /** A contact without email recipients (every channel but email). */
  public InboundContact(
      Channel channel, String externalId, SenderAddress sender, String senderName, String threadKey,
      List<String> references, String subject, MessageContent content, Map<String, String> metadata,
      Instant receivedAt) {
    this(channel, externalId, sender, senderName, threadKey, references, subject, content, metadata, receivedAt,
        List.of(), List.of());
  }

  /** A contact with email recipients but no files, email details or special handling. */
  public InboundContact(
      Channel channel, String externalId, SenderAddress sender, String senderName, String threadKey,
      List<String> references, String subject, MessageContent content, Map<String, String> metadata,
      Instant receivedAt, List<EmailAddress> to, List<EmailAddress> cc) {
    this(channel, externalId, sender, senderName, threadKey, references, subject, content, metadata, receivedAt,
        to, cc, List.of(), null, Handling.ROUTE);
  }

  /** The same contact with these files, email details and handling. */
  public InboundContact with(List<InboundFile> newFiles, InboundEmail newEmail, Handling newHandling) {
    return new InboundContact(channel, externalId, sender, senderName, threadKey, references, subject, content, metadata,
        receivedAt, to, cc, newFiles, newEmail, newHandling);
  }

  public InboundContact {
    List<FieldError> errors = new ArrayList<>();
    if (channel == null) {
      errors.add(new FieldError("channel", "is required"));
    }
    if (externalId == null || externalId.isBlank()) {
      errors.add(new FieldError("externalId", "is required"));
    } else if (externalId.length() > MAX_EXTERNAL_ID) {
      errors.add(new FieldError("externalId", "is longer than " + MAX_EXTERNAL_ID + " characters"));
    }
    if (sender == null) {
      errors.add(new FieldError("sender", "is required"));
    }
    if (content == null) {
      errors.add(new FieldError("content", "is required"));
    } else if (content instanceof MessageContent.Text t && t.body().length() > MAX_TEXT) {
      errors.add(new FieldError("content.text", "is longer than " + MAX_TEXT + " characters"));
    }
    if (subject != null && subject.length() > MAX_SUBJECT) {
      errors.add(new FieldError("subject", "is longer than " + MAX_SUBJECT + " characters"));
    }
    if (senderName != null && senderName.length() > 200) {
      errors.add(new FieldError("senderName", "is longer than 200 characters"));
    }
    if (threadKey != null && threadKey.length() > MAX_EXTERNAL_ID) {
      errors.add(new FieldError("threadKey", "is longer than " + MAX_EXTERNAL_ID + " characters"));
    }
    references = references == null ? List.of() : List.copyOf(references);
    if (references.size() > MAX_REFERENCES) {
      errors.add(new FieldError("references", "has more than " + MAX_REFERENCES + " entries"));
    }
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    if (to.size() + cc.size() > MAX_RECIPIENTS) {
      errors.add(new FieldError("to", "to and cc have more than " + MAX_RECIPIENTS + " addresses"));
    }
    files = files == null ? List.of() : List.copyOf(files);
    if (files.size() > MAX_FILES) {
      errors.add(new FieldError("files", "has more than " + MAX_FILES + " files"));
    }
    long fileBytes = 0;
    for (InboundFile f : files) {
      fileBytes += f.bytes().length();
    }
    if (fileBytes > MAX_FILE_BYTES) {
      errors.add(new FieldError("files", "are larger than " + MAX_FILE_BYTES + " bytes together"));
    }
    handling = handling == null ? Handling.ROUTE : handling;
    metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      errors.add(new FieldError("metadata", "has more than " + MAX_METADATA_ENTRIES + " entries"));
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank() || e.getKey().length() > MAX_METADATA_KEY) {
        errors.add(new FieldError("metadata", "keys must be 1 to " + MAX_METADATA_KEY + " characters"));
      } else if (e.getValue() == null) {
        errors.add(new FieldError("metadata." + e.getKey(), "must not be null"));
      } else if (e.getValue().length() > MAX_METADATA_VALUE) {
        errors.add(new FieldError("metadata." + e.getKey(), "is longer than " + MAX_METADATA_VALUE + " characters"));
      }
    }
    metadata = Map.copyOf(metadata);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    receivedAt = Objects.requireNonNullElseGet(receivedAt, Instant::now);
  }
}

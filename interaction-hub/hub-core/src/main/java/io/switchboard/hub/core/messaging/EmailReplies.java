package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Conversation;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.store.AttachmentStore;
import io.switchboard.hub.store.StoreScope;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Validates the email fields of a reply and fills in the defaults: recipients (the customer of the message
 * answered), subject ("Re: ..."), the message answered (the customer's latest), and checks the attachments
 * (this agent's, unused). Header injection is refused: no line break in an address or the subject.
 */
final class EmailReplies {
  static final int MAX_RECIPIENTS = 50;
  static final int MAX_SUBJECT = 998;
  static final int MAX_ATTACHMENTS = 20;
  static final long MAX_ATTACHMENTS_BYTES = 25L * 1024 * 1024;

  /** A reply's email part, ready to store. */
  record Resolved(String subject, EmailEnvelope envelope, List<AttachmentId> attachments) {}

  private final Stores stores;
  private final IdentityNormalizer normalizer;

  EmailReplies(Stores stores, IdentityNormalizer normalizer) {
    this.stores = stores;
    this.normalizer = normalizer;
  }

  /** Refuses email fields where they do not belong: on private notes and outside email interactions. */
  static void checkAllowed(Interaction i, EmailReply reply, boolean privateNote) {
    if (reply == null || reply.isEmpty()) {
      return;
    }
    String field = reply.to() != null ? "to" : reply.cc() != null ? "cc" : reply.bcc() != null ? "bcc" : reply.subject() != null ? "subject"
        : reply.attachments() != null ? "attachments" : "inReplyTo";
    if (privateNote) {
      throw new ValidationException(field, "email fields go on replies, not on private notes");
    }
    if (i.channel() != Channel.EMAIL) {
      throw new ValidationException(field, "only email interactions take email fields; this is " + i.channel().wireName());
    }
  }

  /** The checks that need no database: addresses, counts, subject. */
  void checkShape(EmailReply r) {
    List<FieldError> errors = new ArrayList<>();
    addresses(r.to(), "to", errors);
    addresses(r.cc(), "cc", errors);
    addresses(r.bcc(), "bcc", errors);
    int recipients = size(r.to()) + size(r.cc()) + size(r.bcc());
    if (recipients > MAX_RECIPIENTS) {
      errors.add(new FieldError("to", "to, cc and bcc have " + recipients + " addresses; at most " + MAX_RECIPIENTS));
    }
    if (r.subject() != null) {
      if (EmailAddress.hasLineBreak(r.subject())) {
        errors.add(new FieldError("subject", "must not contain line breaks"));
      } else if (r.subject().length() > MAX_SUBJECT) {
        errors.add(new FieldError("subject", "is longer than " + MAX_SUBJECT + " characters"));
      }
    }
    if (r.attachments() != null) {
      if (r.attachments().size() > MAX_ATTACHMENTS) {
        errors.add(new FieldError("attachments", "has more than " + MAX_ATTACHMENTS + " entries"));
      } else if (new HashSet<>(r.attachments()).size() != r.attachments().size()) {
        errors.add(new FieldError("attachments", "lists an attachment twice"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  /**
   * Validates against the stored conversation and fills in the defaults (reads outside any transaction).
   *
   * @param customer where the customer last wrote from (the reply address read with the interaction)
   */
  Future<Resolved> resolve(Interaction i, Conversation conv, Optional<SenderAddress> customer, AgentId agent, EmailReply reply) {
    EmailReply r = reply == null ? new EmailReply(null, null, null, null, null) : reply;
    try {
      checkShape(r);
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    StoreScope db = stores.db();
    Future<Optional<Message>> answered = r.inReplyTo() == null ? latestInbound(db, i) : stores.messages().find(db, r.inReplyTo())
        .compose(found -> {
          if (found.isEmpty() || !found.get().conversationId().equals(i.conversationId()) || found.get().privateNote()) {
            return Future.failedFuture(new ValidationException("inReplyTo", "no message " + r.inReplyTo() + " in this conversation"));
          }
          return Future.succeededFuture(found);
        });
    return answered.compose(original -> attachments(db, agent, r.attachments()).map(files -> {
        List<EmailAddress> to = r.to() == null || r.to().isEmpty() ? defaultTo(original, customer) : list(r.to());
        if (to.isEmpty()) {
          throw new ValidationException("to", "is required: the customer has no email address to answer");
        }
        String base = original.map(Message::subject).filter(s -> s != null && !s.isBlank()).orElse(conv.subject());
        String subject = r.subject() != null ? r.subject().strip()
            : base == null ? null : MessageService.replySubject(EmailAddress.hasLineBreak(base) ? base.replaceAll("[\\r\\n]+\\s*", " ") : base);
        if (subject != null && subject.length() > MAX_SUBJECT) {
          subject = subject.substring(0, MAX_SUBJECT);
        }
        EmailEnvelope envelope = new EmailEnvelope(null, to, list(r.cc()), original.map(Message::id).orElse(null), List.of(),
            null, List.of(), list(r.bcc()));
        return new Resolved(subject, envelope, files);
      }));
  }

  private Future<Optional<Message>> latestInbound(StoreScope db, Interaction i) {
    return stores.messages().ofInteractions(db, List.of(i.id())).map(all -> {
      for (int k = all.size() - 1; k >= 0; k--) {
        if (all.get(k).direction() == Message.Direction.INBOUND) {
          return Optional.of(all.get(k));
        }
      }
      return Optional.<Message>empty();
    });
  }

  /** This agent's unused attachments, in the order given: others' or unknown ones are 422, used ones 409. */
  private Future<List<AttachmentId>> attachments(StoreScope db, AgentId agent, List<AttachmentId> ids) {
    if (ids == null || ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return stores.attachments().find(db, ids).compose(found -> {
      Map<AttachmentId, AttachmentStore.Stored> byId = found.stream()
          .collect(Collectors.toMap(s -> s.attachment().id(), Function.identity()));
      List<FieldError> errors = new ArrayList<>();
      long total = 0;
      for (int k = 0; k < ids.size(); k++) {
        AttachmentStore.Stored s = byId.get(ids.get(k));
        if (s == null || !agent.equals(s.uploadedBy())) {
          errors.add(new FieldError("attachments[" + k + "]", "no attachment " + ids.get(k) + " uploaded by you"));
        } else {
          total += s.attachment().sizeBytes();
        }
      }
      if (!errors.isEmpty()) {
        return Future.failedFuture(new ValidationException(errors));
      }
      for (AttachmentId id : ids) {
        if (byId.get(id).messageId() != null) {
          return Future.failedFuture(new ConflictException("attachment " + id + " is already attached to another message"));
        }
      }
      if (total > MAX_ATTACHMENTS_BYTES) {
        return Future.failedFuture(new ValidationException("attachments",
            "add up to " + total + " bytes; at most " + MAX_ATTACHMENTS_BYTES + " per reply"));
      }
      return Future.succeededFuture(ids);
    });
  }

  private void addresses(List<String> list, String field, List<FieldError> errors) {
    if (list == null) {
      return;
    }
    for (int k = 0; k < list.size(); k++) {
      String a = list.get(k);
      String f = field + "[" + k + "]";
      if (a == null) {
        errors.add(new FieldError(f, "must not be null"));
      } else if (EmailAddress.hasLineBreak(a)) {
        errors.add(new FieldError(f, "must not contain line breaks"));
      } else {
        try {
          normalizer.email(a, f);
        } catch (ValidationException e) {
          errors.addAll(e.errors());
        }
      }
    }
  }

  /** Addresses as given (trimmed), each once, case-insensitively. */
  private static List<EmailAddress> list(List<String> raw) {
    if (raw == null) {
      return List.of();
    }
    Set<String> seen = new LinkedHashSet<>();
    List<EmailAddress> out = new ArrayList<>();
    for (String a : raw) {
      if (seen.add(a.strip().toLowerCase(java.util.Locale.ROOT))) {
        out.add(EmailAddress.of(a.strip()));
      }
    }
    return out;
  }

  private static List<EmailAddress> defaultTo(Optional<Message> original, Optional<SenderAddress> customer) {
    if (original.isPresent() && original.get().direction() == Message.Direction.INBOUND && original.get().senderAddress() != null) {
      String name = original.get().senderName();
      return List.of(new EmailAddress(original.get().senderAddress(),
          name == null || EmailAddress.hasLineBreak(name) || name.length() > EmailAddress.MAX_NAME ? null : name));
    }
    if (original.isPresent() && original.get().email() != null && !original.get().email().to().isEmpty()) {
      return original.get().email().to();
    }
    return customer.map(c -> List.of(EmailAddress.of(c.value()))).orElse(List.of());
  }

  private static int size(List<?> l) {
    return l == null ? 0 : l.size();
  }
}

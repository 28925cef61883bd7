package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Conversation;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.SendReadiness;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.store.MessageStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages agents write: replies to the customer, stored and handed to the outbox for delivery by the
 * channel's adapter, and private notes, which are stored and never leave the hub. The guards that hold for
 * every channel live here: only the agent working the interaction (or a supervisor) writes in it, notes are
 * never queued for delivery, a reply needs an address the customer wrote from.
 */
public final class MessageService {
  private static final Logger log = LoggerFactory.getLogger(MessageService.class);

  /** Outbox topic of deliveries. */
  public static final String DELIVERY_TOPIC = "delivery.send";
  /** Event: a message was added by staff ({@code interactionId, messageId, private}). */
  public static final String MESSAGE_CREATED = io.switchboard.hub.api.event.HubEvents.MESSAGE_CREATED;
  /** Event: an outbound message's status changed ({@code messageId, status, reason}). */
  public static final String MESSAGE_STATUS_CHANGED = io.switchboard.hub.api.event.HubEvents.MESSAGE_STATUS_CHANGED;

  public static final int MAX_TEXT = 64 * 1024;

  private final Vertx vertx;
  private final Stores stores;
  private final EmailReplies emailReplies;
  private final AdapterDirectory adapters;

  /**
   * @param normalizer checks the email addresses of replies
   */
  public MessageService(Vertx vertx, Stores stores, IdentityNormalizer normalizer) {
    this(vertx, stores, normalizer, null);
  }

  /**
   * @param normalizer checks the email addresses of replies
   * @param adapters the running adapters, asked whether a reply can go out before it is stored; null to store
   *     every reply and let delivery report the failure
   */
  public MessageService(Vertx vertx, Stores stores, IdentityNormalizer normalizer, AdapterDirectory adapters) {
    this.vertx = vertx;
    this.stores = stores;
    this.emailReplies = new EmailReplies(stores, normalizer);
    this.adapters = adapters;
  }

  /**
   * Writes a reply (or, with {@code privateNote}, an internal note) in an interaction.
   *
   * @return the stored message; replies are {@code queued} until the adapter delivers them
   */
  public Future<Message> write(Principal.Staff by, InteractionId id, String text, boolean privateNote) {
    return write(by, id, text, privateNote, null);
  }

  /**
   * Writes a reply or note; an email reply may carry recipients, subject, attachments and the message it
   * answers ({@code email}, null for none). The attachments are claimed by the reply in the same
   * transaction: an attachment already used by another message fails with {@link ConflictException}.
   *
   * @return the stored message; replies are {@code queued} until the adapter delivers them
   */
  public Future<Message> write(Principal.Staff by, InteractionId id, String text, boolean privateNote, EmailReply email) {
    if (text == null || text.isBlank()) {
      return Future.failedFuture(new ValidationException("text", "is required"));
    }
    if (text.length() > MAX_TEXT) {
      return Future.failedFuture(new ValidationException("text", "is longer than " + MAX_TEXT + " characters"));
    }
    if (text.indexOf('\u0000') >= 0) {
      // PostgreSQL cannot store NUL in text or jsonb: refused here as the HTTP edge refuses it, never a 500.
      return Future.failedFuture(new ValidationException("text", "must not contain NUL characters"));
    }
    boolean supervisor = by.role().atLeast(Role.SUPERVISOR);
    // One statement reads what every check needs: the interaction, the customer's departure, the conversation,
    // where replies go and the writer's name.
    return stores.messages().replyContext(stores.db(), id, by.agentId()).compose(found -> {
      boolean mine = found.isPresent() && by.agentId().equals(found.get().interaction().agentId());
      if (found.isEmpty() || !(mine || supervisor)) {
        return Future.failedFuture(new NotFoundException("no interaction " + id + " assigned to you"));
      }
      MessageStore.ReplyContext ctx = found.get();
      Interaction i = ctx.interaction();
      try {
        EmailReplies.checkAllowed(i, email, privateNote);
      } catch (ValidationException e) {
        return Future.failedFuture(e);
      }
      if (!privateNote && i.state() != InteractionState.ASSIGNED) {
        return Future.failedFuture(new ConflictException(
            "replies go out while the interaction is being worked; it is " + i.state().wireName()));
      }
      if (!privateNote && ctx.departure().isPresent()) {
        // The customer ended the chat: a reply would be stored as "sent" and reach nobody.
        return Future.failedFuture(new ConflictException("replies cannot go out: " + noOneThere(ctx.departure().get()).reason()));
      }
      Conversation conv = ctx.conversation().orElseThrow();
      Optional<SenderAddress> address = ctx.replyAddress();
      if (!privateNote && address.isEmpty() && (email == null || email.to() == null || email.to().isEmpty())) {
        return Future.failedFuture(new ConflictException("the customer has no address on this channel to reply to"));
      }
      if (!privateNote && adapters != null) {
        // Say so before anything is stored: a reply nothing can deliver is refused, not queued to fail.
        SenderAddress to = email != null && email.to() != null && !email.to().isEmpty()
            ? SenderAddress.email(email.to().get(0)) : address.orElse(null);
        SendReadiness ready = adapters.readiness(i.channel(), to, i.attributes());
        if (ready.state() == SendReadiness.State.UNAVAILABLE) {
          return Future.failedFuture(new ConflictException("replies cannot go out: " + ready.reason()));
        }
      }
      boolean emailReply = !privateNote && i.channel() == Channel.EMAIL;
      Future<EmailReplies.Resolved> resolved = emailReply
          ? emailReplies.resolve(i, conv, address, by.agentId(), email)
          : Future.succeededFuture(new EmailReplies.Resolved(
              privateNote || conv.subject() == null ? null : replySubject(conv.subject()), null, List.of()));
      // The agent's display name goes with a reply: channels that show who answers (web chat) tell the customer.
      return resolved.compose(r -> store(by, supervisor, i, text, privateNote, r, privateNote ? null : ctx.writerName()));
    });
  }

  /**
   * Stores the message with its delivery (replies) and its event in the outbox: one statement, or with attachments a
   * transaction that also claims them. Written only while the interaction is still the writer's (or the writer is a
   * supervisor) and, for a reply, still assigned with the customer there: a change committed since the checks read it
   * is a conflict, and nothing is stored.
   */
  private Future<Message> store(Principal.Staff by, boolean supervisor, Interaction i, String text, boolean privateNote,
      EmailReplies.Resolved r, String senderName) {
    InteractionId id = i.id();
    Instant now = Instant.now();
    Message m = new Message(MessageId.random(), i.conversationId(), i.id(), i.channel(), null,
        privateNote ? Message.Direction.INTERNAL : Message.Direction.OUTBOUND, null, senderName, by.agentId(),
        r.subject(), new MessageContent.Text(text), privateNote, privateNote ? Message.Status.RECEIVED : Message.Status.QUEUED,
        null, now, r.envelope(), List.of());
    JsonObject event = OutboxRelay.event(MESSAGE_CREATED, new JsonObject().put("interactionId", id.toString())
        .put("conversationId", i.conversationId().toString()).put("messageId", m.id().toString())
        .put("agentId", by.agentId().toString()).put("private", privateNote));
    // The event is published here once committed (its entry is relayed only if its mark never comes: a crash), so the
    // console hears of the message without a relay pass of its own (issue 12: four round trips a reply).
    MessageStore.OutboxEntry created = new MessageStore.OutboxEntry(OutboxRelay.EVENT_PREFIX + MESSAGE_CREATED, event,
        OutboxRelay.DIRECT_GRACE);
    List<MessageStore.OutboxEntry> outbox = privateNote
        ? List.of(created)
        : List.of(new MessageStore.OutboxEntry(DELIVERY_TOPIC, new JsonObject().put("messageId", m.id().toString())), created);
    Future<Optional<List<Long>>> stored = r.attachments().isEmpty()
        ? stores.messages().insertInInteraction(stores.db(), m, supervisor, outbox)
        : stores.db().transaction(tx -> stores.messages().insertInInteraction(tx, m, supervisor, outbox).compose(ids -> ids.isEmpty()
            ? Future.succeededFuture(ids)
            : stores.attachments().claim(tx, r.attachments(), by.agentId(), m.id()).compose(n -> n == r.attachments().size()
                ? Future.succeededFuture(ids)
                : Future.failedFuture(new ConflictException("an attachment was attached to another message meanwhile")))));
    return stored
        .compose(ids -> {
          if (ids.isEmpty()) {
            return Future.failedFuture(new ConflictException(privateNote
                ? "the interaction changed while the note was written (it is no longer yours); nothing was stored"
                : "the interaction changed while the reply was written (it ended, was transferred or the customer left);"
                    + " nothing was stored or sent"));
          }
          OutboxRelay.publishedDirectly(vertx, event, ids.get().get(outbox.indexOf(created)));
          return r.attachments().isEmpty() ? Future.succeededFuture(m)
              : stores.messages().find(stores.db(), m.id()).map(found -> found.orElse(m));
        })
        .map(stored2 -> {
          if (!privateNote) {
            DeliveryRelay.wake(vertx);
          }
          log.atInfo().addKeyValue("interactionId", id).addKeyValue("messageId", m.id()).addKeyValue("agentId", by.agentId())
              .addKeyValue("private", privateNote).addKeyValue("attachments", r.attachments().size())
              .log(privateNote ? "note written" : "reply queued for delivery");
          return stored2;
        });
  }

  /** The messages of an interaction's conversation, notes included (staff view), oldest first. */
  public Future<List<Message>> ofInteraction(InteractionId id) {
    return stores.messages().ofInteractions(stores.db().pool(), List.of(id));
  }

  /** Replies after the customer left would reach nobody: the console says so and offers a private note. */
  public static SendReadiness noOneThere(io.switchboard.hub.store.InteractionStore.Departure d) {
    return SendReadiness.unavailable("the customer left (" + d.reason() + ") at " + d.at() + "; they will not see replies");
  }

  static String replySubject(String subject) {
    return subject.regionMatches(true, 0, "Re:", 0, 3) ? subject : "Re: " + subject;
  }
}

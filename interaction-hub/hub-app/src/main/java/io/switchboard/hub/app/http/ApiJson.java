package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerMerge;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.Queue;
import io.switchboard.hub.core.customer.CustomerView;
import io.switchboard.hub.core.customer.HistoryEntry;
import io.switchboard.hub.store.ApiKeyStore;
import io.switchboard.hub.store.AuditStore;
import io.switchboard.hub.store.InteractionStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How domain records look on the wire. One place, written out field by field, so the API does not change
 * by accident when a record does.
 */
public final class ApiJson {
  private ApiJson() {}

  public static JsonObject customer(CustomerView v) {
    Customer c = v.customer();
    return new JsonObject()
        .put("id", c.id().toString())
        .put("displayName", c.displayName())
        .put("tier", c.tier())
        .put("language", c.language())
        .put("attributes", stringMap(c.attributes()))
        .put("notes", c.notes())
        .put("mergedInto", c.mergedInto() == null ? null : c.mergedInto().toString())
        .put("version", c.version())
        .put("createdAt", time(c.createdAt()))
        .put("updatedAt", time(c.updatedAt()))
        .put("identities", array(v.identities(), ApiJson::identity));
  }

  public static JsonObject identity(Identity i) {
    return new JsonObject()
        .put("id", i.id().toString())
        .put("customerId", i.customerId().toString())
        .put("kind", i.kind().wireName())
        .put("provider", i.provider().isEmpty() ? null : i.provider())
        .put("value", i.value())
        .put("createdAt", time(i.createdAt()));
  }

  public static JsonObject merge(CustomerMerge m) {
    JsonObject changes = new JsonObject();
    m.fieldChanges().forEach((k, v) -> changes.put(k, new JsonObject().put("before", v.before()).put("after", v.after())));
    return new JsonObject()
        .put("id", m.id().toString())
        .put("survivorId", m.survivorId().toString())
        .put("mergedId", m.mergedId().toString())
        .put("fieldsFilled", changes)
        .put("mergedBy", m.mergedBy())
        .put("mergedAt", time(m.mergedAt()))
        .put("undoneBy", m.undoneBy())
        .put("undoneAt", time(m.undoneAt()));
  }

  public static JsonObject interaction(Interaction i) {
    return new JsonObject()
        .put("id", i.id().toString())
        .put("conversationId", i.conversationId().toString())
        .put("customerId", i.customerId().toString())
        .put("channel", i.channel().wireName())
        .put("externalId", i.externalId())
        .put("state", i.state().wireName())
        .put("queue", i.queueId())
        .put("priority", i.priority())
        .put("agentId", i.agentId() == null ? null : i.agentId().toString())
        .put("subject", i.subject())
        .put("attributes", stringMap(i.attributes()))
        .put("disposition", i.disposition())
        .put("createdAt", time(i.createdAt()))
        .put("queuedAt", time(i.queuedAt()))
        .put("offeredAt", time(i.offeredAt()))
        .put("answeredAt", time(i.answeredAt()))
        .put("wrapUpAt", time(i.wrapUpAt()))
        .put("endedAt", time(i.endedAt()))
        .put("version", i.version());
  }

  public static JsonObject transition(InteractionStore.Transition t) {
    return new JsonObject()
        .put("from", t.fromState())
        .put("to", t.toState())
        .put("queue", t.queueId())
        .put("agentId", t.agentId() == null ? null : t.agentId().toString())
        .put("reason", t.reason())
        .put("at", time(t.at()));
  }

  public static JsonObject message(Message m) {
    JsonObject out = new JsonObject()
        .put("id", m.id().toString())
        .put("conversationId", m.conversationId().toString())
        .put("interactionId", m.interactionId() == null ? null : m.interactionId().toString())
        .put("channel", m.channel().wireName())
        .put("externalId", m.externalId())
        .put("direction", m.direction().wireName())
        .put("senderAddress", m.senderAddress())
        .put("senderName", m.senderName())
        .put("agentId", m.agentId() == null ? null : m.agentId().toString())
        .put("subject", m.subject())
        .put("content", content(m.content()))
        .put("private", m.privateNote())
        .put("status", m.status().wireName())
        .put("statusReason", m.statusReason())
        .put("createdAt", time(m.createdAt()))
        .put("sentAt", time(m.sentAt()))
        .put("providerMessageId", m.providerMessageId());
    // Email messages also show their headers and files, for reply, reply-all, quoting and downloads.
    if (m.channel() == Channel.EMAIL) {
      EmailEnvelope e = m.email();
      out.put("email", new JsonObject()
          .put("messageId", e == null ? null : e.messageId())
          .put("from", m.senderAddress() == null ? null
              : new JsonObject().put("address", m.senderAddress()).put("name", m.senderName()))
          .put("to", mailboxes(e == null ? List.of() : e.to()))
          .put("cc", mailboxes(e == null ? List.of() : e.cc()))
          .put("bcc", mailboxes(e == null ? List.of() : e.bcc()))
          .put("subject", m.subject())
          .put("inReplyTo", e == null || e.inReplyTo() == null ? null : e.inReplyTo().toString())
          .put("references", new JsonArray(e == null ? List.of() : List.copyOf(e.references())))
          .put("quoted", e == null ? null : e.quoted())
          .put("omitted", array(e == null ? List.of() : e.omitted(), p -> new JsonObject().put("fileName", p.fileName())
              .put("mediaType", p.mediaType()).put("sizeBytes", p.sizeBytes()).put("reason", p.reason()))));
      out.put("attachments", array(m.attachments(), a -> new JsonObject().put("id", a.id().toString())
          .put("fileName", a.fileName()).put("mediaType", a.mediaType()).put("sizeBytes", a.sizeBytes())
          .put("url", "/api/v1/attachments/" + a.id())));
    }
    return out;
  }

  private static JsonArray mailboxes(List<EmailAddress> list) {
    JsonArray out = new JsonArray();
    list.forEach(a -> out.add(new JsonObject().put("address", a.address()).put("name", a.name())));
    return out;
  }

  public static JsonObject content(MessageContent c) {
    return switch (c) {
      case MessageContent.Text t -> new JsonObject().put("type", "text").put("text", t.body());
      case MessageContent.Media m -> new JsonObject().put("type", "media").put("mediaType", m.mediaType())
          .put("fileName", m.fileName()).put("sizeBytes", m.sizeBytes()).put("providerRef", m.providerRef())
          .put("caption", m.caption());
      case MessageContent.Location l -> new JsonObject().put("type", "location").put("latitude", l.latitude())
          .put("longitude", l.longitude()).put("label", l.label());
      case MessageContent.Contact k -> new JsonObject().put("type", "contact").put("name", k.name())
          .put("phones", new JsonArray(new java.util.ArrayList<Object>(k.phones())))
          .put("emails", new JsonArray(new java.util.ArrayList<Object>(k.emails())));
      case MessageContent.Unsupported u -> new JsonObject().put("type", "unsupported").put("providerType", u.providerType());
    };
  }

  public static JsonObject history(HistoryEntry e) {
    return interaction(e.interaction()).put("messages", array(e.messages(), ApiJson::message));
  }

  public static JsonObject intake(IntakeResult r) {
    return new JsonObject()
        .put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT))
        .put("interactionId", r.interactionId().toString())
        .put("conversationId", r.conversationId().toString())
        .put("customerId", r.customerId().toString())
        .put("messageId", r.messageId().toString());
  }

  public static JsonObject agent(Agent a) {
    JsonObject capacity = new JsonObject();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    JsonObject skills = new JsonObject();
    a.skills().forEach(skills::put);
    return new JsonObject()
        .put("id", a.id().toString())
        .put("username", a.username())
        .put("displayName", a.displayName())
        .put("role", a.role().wireName())
        .put("active", a.active())
        .put("skills", skills)
        .put("capacity", capacity)
        .put("queues", new io.vertx.core.json.JsonArray(a.queues()))
        .put("createdAt", time(a.createdAt()));
  }

  public static JsonObject queue(Queue q) {
    return new JsonObject()
        .put("id", q.id())
        .put("name", q.name())
        .put("serviceLevelPercent", q.serviceLevelPercent())
        .put("serviceLevelSeconds", q.serviceLevelSeconds())
        .put("maxWaitSeconds", q.maxWaitSeconds());
  }

  public static JsonObject apiKey(ApiKeyStore.ApiKey k) {
    return new JsonObject()
        .put("id", k.id().toString())
        .put("name", k.name())
        .put("scopes", new JsonArray(k.scopes().stream().sorted().toList()))
        .put("createdBy", k.createdBy())
        .put("createdAt", time(k.createdAt()))
        .put("revokedAt", time(k.revokedAt()))
        .put("lastUsedAt", time(k.lastUsedAt()));
  }

  public static JsonObject audit(AuditStore.Entry e) {
    return new JsonObject()
        .put("id", e.id())
        .put("at", time(e.at()))
        .put("actor", e.actor())
        .put("action", e.action())
        .put("entityType", e.entityType())
        .put("entityId", e.entityId())
        .put("details", e.details());
  }

  public static <T> JsonArray array(Collection<T> items, Function<T, JsonObject> f) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(f.apply(i)));
    return out;
  }

  private static JsonObject stringMap(Map<String, String> map) {
    return new JsonObject(new LinkedHashMap<>(map));
  }

  static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}

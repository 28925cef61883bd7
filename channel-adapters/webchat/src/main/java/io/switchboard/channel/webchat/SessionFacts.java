package io.switchboard.channel.webchat;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What a chat session is, as carried in its resume token: its id, the pre-chat answers, and the hub
 * conversation and interaction it writes to once its first message is stored (null before).
 */
record SessionFacts(String sessionId, String name, String email, String topic, String language, String page,
    String conversationId, String interactionId) {

  SessionFacts {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(topic, "topic");
  }

  SessionFacts withConversation(String conversation, String interaction) {
    return new SessionFacts(sessionId, name, email, topic, language, page, conversation, interaction);
  }

  JsonObject toJson() {
    JsonObject j = new JsonObject().put("sid", sessionId).put("t", topic);
    putIf(j, "n", name);
    putIf(j, "e", email);
    putIf(j, "l", language);
    putIf(j, "p", page);
    putIf(j, "c", conversationId);
    putIf(j, "i", interactionId);
    return j;
  }

  static SessionFacts fromJson(JsonObject j) {
    return new SessionFacts(j.getString("sid"), j.getString("n"), j.getString("e"), j.getString("t"), j.getString("l"),
        j.getString("p"), j.getString("c"), j.getString("i"));
  }

  private static void putIf(JsonObject j, String key, String value) {
    if (value != null) {
      j.put(key, value);
    }
  }
}

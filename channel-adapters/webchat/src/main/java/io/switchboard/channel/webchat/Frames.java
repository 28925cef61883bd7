package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The server-to-client frames of the chat protocol (see docs/webchat.md), built in one place. Every frame is
 * a JSON object with a {@code type}.
 */
final class Frames {
  /** The protocol version this server speaks; a client that asks for another gets an error. */
  static final int PROTOCOL = 1;

  private Frames() {}

  static JsonObject hello(WebChatSettings settings, boolean transcripts) {
    JsonArray topics = new JsonArray();
    settings.topics().forEach(t -> topics.add(new JsonObject().put("id", t.id()).put("label", t.label())));
    return frame("hello").put("protocol", PROTOCOL).put("title", settings.title()).put("topics", topics)
        .put("requireEmail", settings.requireEmail()).put("transcripts", transcripts)
        .put("limits", new JsonObject().put("maxTextChars", settings.limits().maxTextChars())
            .put("maxFrameBytes", settings.limits().maxFrameBytes()));
  }

  static JsonObject session(String sessionId, String resumeToken, boolean resumed) {
    return frame("session").put("sessionId", sessionId).put("resumeToken", resumeToken).put("resumed", resumed);
  }

  static JsonObject ack(String clientId, String messageId, Instant at, boolean duplicate) {
    return frame("ack").put("clientId", clientId).put("messageId", messageId).put("status", "received")
        .put("at", at.toString()).put("duplicate", duplicate);
  }

  /** A message of the conversation; customer messages carry the {@code clientId} their tab gave them. */
  static JsonObject message(String messageId, String from, String text, Instant at, String clientId) {
    JsonObject f = frame("message").put("messageId", messageId).put("from", from).put("text", text).put("at", at.toString());
    if (clientId != null) {
      f.put("clientId", clientId);
    }
    return f;
  }

  /** The frame of a stored message, or null for one the customer must not see. */
  static JsonObject message(Message m, String sessionId) {
    if (m.privateNote() || m.direction() == Message.Direction.INTERNAL) {
      return null;
    }
    String text = m.content() instanceof MessageContent.Text t ? t.body() : m.content().summary();
    boolean agent = m.direction() == Message.Direction.OUTBOUND;
    String clientId = null;
    if (!agent && m.externalId() != null && m.externalId().startsWith(sessionId + ":")) {
      clientId = m.externalId().substring(sessionId.length() + 1);
    }
    Instant at = m.createdAt() == null ? Instant.now() : m.createdAt();
    return agentName(message(m.id().toString(), agent ? "agent" : "customer", text, at, clientId), agent ? m.senderName() : null);
  }

  /** An agent's reply names the agent (display name) when it is known; the customer sees who answers. */
  static JsonObject agentName(JsonObject frame, String name) {
    if (name != null && !name.isBlank()) {
      frame.put("name", name);
    }
    return frame;
  }

  static JsonObject typing(String from, boolean on) {
    return frame("typing").put("from", from).put("on", on);
  }

  static JsonObject queue(String queue, int position, int waiting, Long estimatedWaitSeconds) {
    return frame("queue").put("state", "waiting").put("queue", queue).put("position", position).put("waiting", waiting)
        .put("estimatedWaitSeconds", estimatedWaitSeconds);
  }

  static JsonObject queueLeft() {
    return frame("queue").put("state", "left");
  }

  static JsonObject status(String messageId, String status) {
    return frame("status").put("messageId", messageId).put("status", status);
  }

  static JsonObject statuses(List<String> messageIds, String status) {
    return frame("status").put("messageIds", new JsonArray(List.copyOf(messageIds))).put("status", status);
  }

  static JsonObject replayed(int count) {
    return frame("replayed").put("count", count);
  }

  /** The end of a chat; {@code by} who ended it ({@code customer} or {@code agent}). */
  static JsonObject ended(String transcript, String by) {
    return frame("ended").put("transcript", transcript).put("by", by);
  }

  /** The end of a chat whose queue asks for a rating: the widget shows the question, the socket stays open for it. */
  static JsonObject ended(String transcript, String by, io.switchboard.hub.api.spi.Surveys.Invitation survey) {
    return ended(transcript, by).put("survey", new JsonObject().put("question", survey.question())
        .put("commentPrompt", survey.commentPrompt()).put("scale", new io.vertx.core.json.JsonArray().add(1).add(5))
        .put("expiresAt", survey.expiresAt().toString()));
  }

  /** The rating was stored. */
  static JsonObject rated(int rating) {
    return frame("rated").put("rating", rating);
  }

  static JsonObject pong() {
    return frame("pong");
  }

  static JsonObject error(ErrorCode code, String message) {
    return frame("error").put("code", code.wire()).put("message", message);
  }

  private static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }

  /** The codes of {@code error} frames; the connection stays open after each. */
  enum ErrorCode {
    MALFORMED_JSON("malformed-json"),
    UNKNOWN_TYPE("unknown-type"),
    MISSING_FIELD("missing-field"),
    INVALID_FIELD("invalid-field"),
    FRAME_TOO_LARGE("frame-too-large"),
    BINARY_NOT_SUPPORTED("binary-not-supported"),
    TEXT_TOO_LONG("text-too-long"),
    RATE_LIMITED("rate-limited"),
    UNSUPPORTED_VERSION("unsupported-version"),
    NO_SESSION("no-session"),
    ALREADY_STARTED("already-started"),
    INVALID_RESUME_TOKEN("invalid-resume-token"),
    SESSION_EXPIRED("session-expired"),
    SESSION_ENDED("session-ended"),
    TOO_MANY_TABS("too-many-tabs"),
    UNKNOWN_MESSAGE("unknown-message"),
    MESSAGE_REFUSED("message-refused"),
    UNAVAILABLE("unavailable"),
    TRANSCRIPT_UNAVAILABLE("transcript-unavailable"),
    TRANSCRIPT_FAILED("transcript-failed"),
    /** A {@code rate} frame with no survey to answer (the chat has not ended, or its queue asks nothing). */
    NO_SURVEY("no-survey"),
    /** A second, different rating. */
    ALREADY_RATED("already-rated");

    private final String wire;

    ErrorCode(String wire) {
      this.wire = wire;
    }

    String wire() {
      return wire;
    }
  }
}

package io.switchboard.hub.app.ws;

import io.vertx.core.json.JsonObject;

/**
 * The agent console protocol's constants: version, close codes, error codes and the frame types. The
 * protocol itself is described in docs/websocket.md; keep the two together.
 */
final class Frames {
  private Frames() {}

  /** The protocol's major version; additions (new fields, new frame types) do not change it. */
  static final int VERSION = 1;

  // Close codes (4000-4999 are the application's; the last three digits mirror HTTP statuses).
  /** The client asked for a protocol version this hub does not speak. */
  static final short CLOSE_UNSUPPORTED_VERSION = 4400;
  /** No valid {@code auth} frame in time, a rejected token, or the session ended while connected. */
  static final short CLOSE_UNAUTHENTICATED = 4401;
  /** The console did not read its frames (write queue full too long) or went silent (no frames, no pongs). */
  static final short CLOSE_TOO_SLOW = 4408;
  /** More frames than the rate limit allows. */
  static final short CLOSE_TOO_MANY_FRAMES = 4429;
  /** The hub is shutting down; reconnect (to another node). */
  static final short CLOSE_GOING_AWAY = 1001;
  /** A frame over the server's WebSocket frame limit: the connection cannot go on (RFC 6455 "message too big"). */
  static final short CLOSE_TOO_BIG = 1009;
  /** The hub could not check the token (Redis down); reconnect later. */
  static final short CLOSE_TRY_AGAIN_LATER = 1013;

  // Error codes of the protocol itself; domain errors keep their own codes (not-found, conflict...).
  static final String MALFORMED_JSON = "malformed-json";
  static final String INVALID_FRAME = "invalid-frame";
  static final String INVALID_FIELD = "invalid-field";
  static final String UNKNOWN_TYPE = "unknown-type";
  static final String FRAME_TOO_LARGE = "frame-too-large";
  static final String BINARY_NOT_SUPPORTED = "binary-not-supported";
  static final String NOT_AUTHENTICATED = "not-authenticated";
  static final String ALREADY_AUTHENTICATED = "already-authenticated";
  static final String UNAUTHENTICATED = "unauthenticated";
  static final String UNSUPPORTED_VERSION = "unsupported-version";
  static final String RATE_LIMITED = "rate-limited";
  static final String UNAVAILABLE = "unavailable";
  static final String INTERNAL_ERROR = "internal-error";
  /** The command needs a role the socket's user does not have (supervisor commands sent by an agent). */
  static final String FORBIDDEN = "forbidden";

  // Supervisor frames: the live dashboard and read-only watching of interactions.
  /** Server frame: the dashboard ({@code full} true with history after subscribing, then every second without). */
  static final String DASHBOARD = "dashboard";
  static final String DASHBOARD_SUBSCRIBE = "dashboard_subscribe";
  static final String DASHBOARD_UNSUBSCRIBE = "dashboard_unsubscribe";
  static final String WATCH = "watch";
  static final String UNWATCH = "unwatch";
  /** Interactions one socket may watch at once. */
  static final int MAX_WATCHES = 20;

  /** Server frame: an interaction the agent worked left them (a transfer); {@code interactionId, reason}. */
  static final String UNASSIGNED = "unassigned";

  /**
   * Server frame: the customer ended the contact ({@code interactionId, at, reason, abandoned}); to the agent
   * working it and to supervisors watching it.
   */
  static final String CUSTOMER_LEFT = "customer_left";
  /** A voice call's state: ringing, talking, on_hold, ended, with {@code since} and {@code talkingSince}. */
  static final String CALL_STATE = "call_state";

  /**
   * Server frame: this node's console settings (config/console.yaml) were reloaded; the console reads
   * {@code GET /api/v1/console/settings} again. {@code sha256} of the file in force, {@code loadedAt}.
   */
  static final String SETTINGS_CHANGED = "settings_changed";

  /** A server frame of {@code type}; {@code seq} is filled in when it is written. */
  static JsonObject of(String type) {
    return new JsonObject().put("type", type).put("seq", 0L);
  }

  static JsonObject error(String code, String message, Object ref) {
    JsonObject f = of("error").put("code", code).put("message", message);
    if (ref != null) {
      f.put("ref", ref);
    }
    return f;
  }

  static JsonObject invalidField(String field, String message, Object ref) {
    return error(INVALID_FIELD, field + ": " + message, ref).put("field", field);
  }

  static JsonObject ok(Object ref) {
    JsonObject f = of("ok");
    if (ref != null) {
      f.put("ref", ref);
    }
    return f;
  }

  static JsonObject pong(Object ref) {
    JsonObject f = of("pong");
    if (ref != null) {
      f.put("ref", ref);
    }
    return f;
  }
}

package io.switchboard.channel.social.impl;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Answers to providers and to whoever else calls a webhook: RFC 9457 problem+json for refusals. */
public final class WebhookReplies {
  private WebhookReplies() {}

  /** A refusal: {@code type} is {@code urn:switchboard:problem:<code>}, as everywhere in the hub. */
  public static void problem(HttpServerResponse response, int status, String code, String title, String detail) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject()
            .put("type", "urn:switchboard:problem:" + code)
            .put("title", title)
            .put("status", status)
            .put("detail", detail)
            .encode());
  }

  public static void json(HttpServerResponse response, int status, JsonObject body) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  public static void text(HttpServerResponse response, int status, String body) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
  }
}

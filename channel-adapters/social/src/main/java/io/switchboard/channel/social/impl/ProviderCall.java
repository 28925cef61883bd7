package io.switchboard.channel.social.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;

/** One JSON POST to a provider's API with the adapter's HTTP client. */
public final class ProviderCall {

  /**
   * The provider's answer.
   *
   * @param json the body as a JSON object, or null when it was not one
   * @param retryAfter the Retry-After header, if any
   */
  public record Reply(int status, JsonObject json, String retryAfter) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Whether a failure with this status is worth trying again (timeouts, rate limits, server errors). */
    public boolean transientStatus() {
      return status == 408 || status == 429 || status >= 500;
    }
  }

  private ProviderCall() {}

  /**
   * Posts {@code body}. The future fails only when no answer came (connection refused, timeout); the message
   * of that failure never contains {@code secretInUrl} (Telegram puts the bot token in the path).
   */
  public static Future<Reply> postJson(HttpClient http, String url, Map<String, String> headers, JsonObject body,
      Duration timeout, String secretInUrl) {
    RequestOptions options;
    try {
      options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
          .setTimeout(timeout.toMillis()).setConnectTimeout(timeout.toMillis())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.ACCEPT, "application/json");
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot call the provider: " + redact(e.getMessage(), secretInUrl)));
    }
    headers.forEach(options::putHeader);
    return http.request(options)
        .compose(request -> request.send(body.toBuffer()))
        .compose(response -> response.body().map(buf -> new Reply(response.statusCode(), json(buf), response.getHeader("Retry-After"))))
        .recover(e -> Future.failedFuture(new ProviderUnreachableException(
            e.getClass().getSimpleName() + ": " + redact(String.valueOf(e.getMessage()), secretInUrl))));
  }

  private static JsonObject json(Buffer buf) {
    try {
      return buf.length() == 0 ? null : new JsonObject(buf);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String redact(String text, String secret) {
    return secret == null || secret.isEmpty() || text == null ? text : text.replace(secret, "<token>");
  }

  /** No answer from the provider (refused connection, timeout): always worth another try. */
  public static final class ProviderUnreachableException extends RuntimeException {
    public ProviderUnreachableException(String message) {
      super(message, null, false, false);
    }
  }
}

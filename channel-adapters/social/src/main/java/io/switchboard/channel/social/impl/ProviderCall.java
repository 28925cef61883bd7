package io.switchboard.channel.social.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** One JSON POST to a provider's API with the adapter's HTTP client. */
public final class ProviderCall {

  /**
   * The provider's answer.
   *
   * @param json the body as a JSON object, or null when it was not one
   * @param retryAfter the Retry-After header, if any
   * @param businessUsage Meta's {@code X-Business-Use-Case-Usage} header, if any (rate-limit usage with
   *     {@code estimated_time_to_regain_access} in minutes)
   */
  public record Reply(int status, JsonObject json, String retryAfter, String businessUsage) {
    public Reply(int status, JsonObject json, String retryAfter) {
      this(status, json, retryAfter, null);
    }

    /**
     * How long the provider asked to wait: Retry-After in seconds or as an HTTP date, else the longest
     * {@code estimated_time_to_regain_access} (minutes) of Meta's usage header; null when neither says.
     */
    public java.time.Duration waitAsked() {
      if (retryAfter != null && !retryAfter.isBlank()) {
        String v = retryAfter.strip();
        try {
          return java.time.Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
          try {
            java.time.Instant at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            java.time.Duration d = java.time.Duration.between(java.time.Instant.now(), at);
            return d.isNegative() ? java.time.Duration.ZERO : d;
          } catch (java.time.format.DateTimeParseException ignored) {
            // neither form: as if absent
          }
        }
      }
      if (businessUsage != null && !businessUsage.isBlank()) {
        try {
          long minutes = 0;
          JsonObject usage = new JsonObject(businessUsage);
          for (String id : usage.fieldNames()) {
            if (usage.getValue(id) instanceof io.vertx.core.json.JsonArray entries) {
              for (Object e : entries) {
                if (e instanceof JsonObject o && o.getValue("estimated_time_to_regain_access") instanceof Number n) {
                  minutes = Math.max(minutes, n.longValue());
                }
              }
            }
          }
          return minutes > 0 ? java.time.Duration.ofMinutes(minutes) : null;
        } catch (RuntimeException e) {
          return null;
        }
      }
      return null;
    }
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
   * Posts {@code body}. The future fails only when no complete answer came (connection refused, no answer,
   * an answer that stopped halfway) and always within {@code timeout} of this call; the message of that
   * failure never contains {@code secretInUrl} (Telegram puts the bot token in the path).
   *
   * <p>The answer's body is asked for by a listener attached in the callback that sends the request, which
   * runs on the request's Vert.x context, so it is in place before the answer can be handled there: Vert.x
   * drops the parts of a response that arrive before anyone reads it, and a listener attached afterwards by
   * the calling thread (one that is not the context's, and slower than a provider answering on a pooled
   * connection) waited forever. The request's own timeout stops counting once the answer's head has come,
   * so the whole exchange has a deadline of its own, which also resets the request (freeing its pooled
   * connection) when it passes.
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
    AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
    AtomicBoolean expired = new AtomicBoolean();
    Future<Reply> exchange = http.request(options).compose(request -> {
      inFlight.set(request);
      if (expired.get()) {
        request.reset();
        return Future.failedFuture(new TimeoutException("no connection to the provider within " + timeout.toMillis() + " ms"));
      }
      return request.send(body.toBuffer())
          .compose(response -> response.body()
              .map(buf -> new Reply(response.statusCode(), json(buf), response.getHeader("Retry-After"),
                  response.getHeader("X-Business-Use-Case-Usage"))));
    });
    return exchange.timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS).recover(e -> {
      String why;
      if (exchange.isComplete()) {
        why = e.getClass().getSimpleName() + ": " + e.getMessage();
      } else {
        expired.set(true);
        HttpClientRequest request = inFlight.get();
        if (request != null) {
          request.reset(0, e); // a half-answered request would keep its connection from the pool
        }
        why = "no complete answer within " + timeout.toMillis() + " ms";
      }
      return Future.failedFuture(new ProviderUnreachableException(redact(why, secretInUrl)));
    });
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

package io.switchboard.hub.app.http;

import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.RateLimitedException;
import io.switchboard.hub.api.error.SwitchboardException;
import io.switchboard.hub.api.error.UnavailableException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.store.BackendFailures;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become HTTP responses: RFC 9457 {@code application/problem+json} with a stable
 * {@code type} per error code, the request path as {@code instance}, and for input errors an
 * {@code errors} list naming each field.
 */
public final class Problems implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "urn:switchboard:problem:";
  /** Seconds a caller is asked to wait after a 503 (PostgreSQL or Redis not answering) before trying again. */
  public static final int RETRY_AFTER_UNAVAILABLE = 5;

  /** A request that is malformed before it reaches the domain (bad JSON, wrong types, unknown fields). */
  public static final class BadRequest extends RuntimeException {
    private final int status;
    private final String code;
    private final JsonArray errors;

    public BadRequest(int status, String code, String message, JsonArray errors) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.errors = errors;
    }

    public BadRequest(String message) {
      this(400, "bad-request", message, null);
    }

    public static BadRequest field(String field, String message) {
      return new BadRequest(400, "bad-request", field + ": " + message,
          new JsonArray().add(new JsonObject().put("field", field).put("message", message)));
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().headWritten()) {
      log.atWarn().setCause(failure).addKeyValue("path", ctx.normalizedPath()).log("failure after response started");
      ctx.response().reset();
      return;
    }
    if (failure == null) {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      switch (status) {
        case 413 -> send(ctx, 413, "payload-too-large", "Payload too large", "the request body is larger than this hub accepts", null);
        case 404 -> send(ctx, 404, "not-found", "Not found", "no such resource: " + ctx.request().path(), null);
        case 405 -> send(ctx, 405, "method-not-allowed", "Method not allowed", ctx.request().method() + " is not allowed here", null);
        case 400 -> send(ctx, 400, "bad-request", "Bad request", "the request could not be read", null);
        default -> send(ctx, status, "http-" + status, "HTTP " + status, null, null);
      }
      return;
    }
    if (!(failure instanceof SwitchboardException) && !(failure instanceof BadRequest)) {
      // PostgreSQL or Redis not answering surfaces as the drivers' exceptions: it is a 503, not a bug.
      failure = BackendFailures.unavailable(failure).<Throwable>map(u -> u).orElse(failure);
    }
    switch (failure) {
      case BadRequest b -> send(ctx, b.status, b.code, title(b.status), b.getMessage(), b.errors);
      case ValidationException v -> {
        JsonArray errors = new JsonArray();
        v.errors().forEach(e -> errors.add(new JsonObject().put("field", e.field()).put("message", e.message())));
        send(ctx, 422, v.code(), "Validation failed", v.getMessage(), errors);
      }
      case NotFoundException e -> send(ctx, 404, e.code(), "Not found", e.getMessage(), null);
      case ConflictException e -> send(ctx, 409, e.code(), "Conflict", e.getMessage(), null);
      case AuthenticationException e -> {
        boolean apiKeyRoute = ctx.request().path().equals("/api/v1/inbound") || ctx.request().path().endsWith("/abandon");
        ctx.response().putHeader("WWW-Authenticate", apiKeyRoute ? "ApiKey realm=\"switchboard\"" : "Bearer realm=\"switchboard\"");
        send(ctx, 401, e.code(), "Unauthenticated", e.getMessage(), null);
      }
      case ForbiddenException e -> send(ctx, 403, e.code(), "Forbidden", e.getMessage(), null);
      case RateLimitedException e -> {
        ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        send(ctx, 429, e.code(), "Too many requests", e.getMessage(), null);
      }
      case UnavailableException e -> {
        ctx.vertx().eventBus().publish(io.switchboard.hub.app.metrics.HubMetrics.BACKEND_UNAVAILABLE,
            e.getMessage() != null && e.getMessage().startsWith("Redis") ? "redis"
                : e.getMessage() != null && e.getMessage().startsWith("PostgreSQL") ? "postgres" : "unknown");
        log.atWarn().addKeyValue("path", ctx.normalizedPath()).log("backing service unavailable: " + e.getMessage());
        ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_UNAVAILABLE));
        send(ctx, 503, e.code(), "Service unavailable", "a backing service does not answer; try again", null);
      }
      case SwitchboardException e -> send(ctx, 500, e.code(), "Internal error", e.getMessage(), null);
      default -> {
        log.atError().setCause(failure).addKeyValue("method", ctx.request().method().name())
            .addKeyValue("path", ctx.normalizedPath()).log("unexpected failure");
        send(ctx, 500, "internal-error", "Internal error", "an unexpected error occurred; it has been logged", null);
      }
    }
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 413 -> "Payload too large";
      case 415 -> "Unsupported media type";
      default -> "HTTP " + status;
    };
  }

  /** Writes one problem response. */
  public static void send(RoutingContext ctx, int status, String code, String title, String detail, JsonArray errors) {
    JsonObject body = new JsonObject()
        .put("type", TYPE_BASE + code)
        .put("title", title)
        .put("status", status);
    if (detail != null) {
      body.put("detail", detail);
    }
    body.put("instance", ctx.request().path());
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors);
    }
    HttpServerResponse response = ctx.response();
    response.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }
}

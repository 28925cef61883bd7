package io.switchboard.hub.app.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Completing a request from a future: the value as JSON on success, the failure handler otherwise. */
final class Respond {
  private Respond() {}

  static <T> void json(RoutingContext ctx, Future<T> future, int status, Function<T, Object> body) {
    json(ctx, future, t -> status, body);
  }

  /** As {@link #json(RoutingContext, Future, int, Function)}, with the status chosen from the result. */
  static <T> void json(RoutingContext ctx, Future<T> future, Function<T, Integer> status, Function<T, Object> body) {
    future.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Object out = body.apply(ar.result());
      ctx.response().setStatusCode(status.apply(ar.result())).putHeader("Content-Type", "application/json");
      if (out instanceof JsonObject o) {
        ctx.response().end(o.encode());
      } else if (out instanceof JsonArray a) {
        ctx.response().end(a.encode());
      } else {
        ctx.response().end(String.valueOf(out));
      }
    });
  }

  static <T> void noContent(RoutingContext ctx, Future<T> future) {
    future.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }
}

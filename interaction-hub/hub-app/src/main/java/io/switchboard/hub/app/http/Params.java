package io.switchboard.hub.app.http;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.Function;

/** Reading path and query parameters; a bad one is a 400 naming the parameter. */
public final class Params {
  private Params() {}

  public static <T> T pathId(RoutingContext ctx, String name, Function<String, T> parse) {
    String raw = ctx.pathParam(name);
    try {
      return parse.apply(raw);
    } catch (IllegalArgumentException e) {
      throw Problems.BadRequest.field(name, "'" + abbreviate(raw) + "' is not a valid id");
    }
  }

  public static UUID pathUuid(RoutingContext ctx, String name) {
    return pathId(ctx, name, UUID::fromString);
  }

  public static String query(RoutingContext ctx, String name) {
    var values = ctx.queryParam(name);
    if (values.size() > 1) {
      throw Problems.BadRequest.field(name, "given more than once");
    }
    String v = values.isEmpty() ? null : values.get(0);
    if (v != null && v.length() > 512) {
      throw Problems.BadRequest.field(name, "is too long");
    }
    TextChecks.check(name, v);
    return v == null || v.isBlank() ? null : v;
  }

  public static int intQuery(RoutingContext ctx, String name, int fallback, int min, int max) {
    String v = query(ctx, name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw Problems.BadRequest.field(name, "must be " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw Problems.BadRequest.field(name, "'" + abbreviate(v) + "' is not a whole number");
    }
  }

  public static <T> T parsedQuery(RoutingContext ctx, String name, Function<String, T> parse) {
    String v = query(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return parse.apply(v);
    } catch (IllegalArgumentException e) {
      throw Problems.BadRequest.field(name, e.getMessage() == null ? "invalid value" : e.getMessage());
    }
  }

  static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}

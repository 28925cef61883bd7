package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authentication and role checks for routes. Staff present {@code Authorization: Bearer <token>} from
 * login; integrations present {@code Authorization: ApiKey <key>} (or {@code X-Api-Key}). Each route says
 * which it takes and the least role or scope it needs; anything else is 401 (no or bad credentials) or 403
 * (known caller, not allowed).
 */
public final class Authn {
  private static final String PRINCIPAL = "switchboard.principal";
  private final AuthService auth;

  public Authn(AuthService auth) {
    this.auth = auth;
  }

  /** Staff with at least {@code role}. */
  public Handler<RoutingContext> staff(Role role) {
    return ctx -> resolve(ctx).onSuccess(p -> {
      if (!(p instanceof Principal.Staff s)) {
        ctx.fail(new ForbiddenException("API keys may only call integration endpoints; log in as staff"));
      } else if (!s.role().atLeast(role)) {
        ctx.fail(new ForbiddenException("this needs the " + role.wireName() + " role; you are " + s.role().wireName()));
      } else {
        ctx.put(PRINCIPAL, p);
        ctx.next();
      }
    }).onFailure(ctx::fail);
  }

  /** An integration whose API key has {@code scope}. */
  public Handler<RoutingContext> integration(String scope) {
    return ctx -> resolve(ctx).onSuccess(p -> {
      if (!(p instanceof Principal.Integration i)) {
        ctx.fail(new ForbiddenException("this endpoint takes an API key with scope '" + scope + "'"));
      } else if (!i.scopes().contains(scope)) {
        ctx.fail(new ForbiddenException("API key '" + i.keyName() + "' lacks scope '" + scope + "'"));
      } else {
        ctx.put(PRINCIPAL, p);
        ctx.next();
      }
    }).onFailure(ctx::fail);
  }

  /** Either staff with at least {@code role} or an API key with {@code scope} (for /metrics). */
  public Handler<RoutingContext> staffOrIntegration(Role role, String scope) {
    return ctx -> resolve(ctx).onSuccess(p -> {
      boolean ok = switch (p) {
        case Principal.Staff s -> s.role().atLeast(role);
        case Principal.Integration i -> i.scopes().contains(scope);
        case Principal.System s -> false;
      };
      if (ok) {
        ctx.put(PRINCIPAL, p);
        ctx.next();
      } else {
        ctx.fail(new ForbiddenException("this needs the " + role.wireName() + " role or an API key with scope '" + scope + "'"));
      }
    }).onFailure(ctx::fail);
  }

  /** The authenticated caller of this request. */
  public static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("route has no authentication handler");
    }
    return p;
  }

  /** The authenticated staff member of this request. */
  public static Principal.Staff staff(RoutingContext ctx) {
    return (Principal.Staff) principal(ctx);
  }

  /** The bearer token of the request, if any (for logout). */
  public static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return h.substring(7).strip();
    }
    return null;
  }

  private Future<Principal> resolve(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    String apiKey = ctx.request().getHeader("X-Api-Key");
    if (h != null) {
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return auth.authenticate(h.substring(7).strip()).map(s -> s);
      }
      if (h.regionMatches(true, 0, "ApiKey ", 0, 7)) {
        return auth.apiKeys().verify(h.substring(7).strip()).map(i -> i);
      }
      return Future.failedFuture(new AuthenticationException("unsupported Authorization scheme; use Bearer <token> or ApiKey <key>"));
    }
    if (apiKey != null) {
      return auth.apiKeys().verify(apiKey.strip()).map(i -> i);
    }
    return Future.failedFuture(new AuthenticationException("authentication required: Authorization: Bearer <token> from POST /api/v1/auth/login"));
  }
}

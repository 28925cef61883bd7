package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.UnavailableException;
import io.switchboard.hub.core.dashboard.DashboardVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The supervisor dashboard over HTTP: {@code GET /api/v1/dashboard} returns this node's latest snapshot with
 * its chart history (the same body as the WebSocket's full {@code dashboard} frame). Supervisors and admins.
 */
final class DashboardRoutes {
  private DashboardRoutes() {}

  static void mount(Router router, Vertx vertx, Authn authn) {
    router.get("/api/v1/dashboard").handler(authn.staff(Role.SUPERVISOR)).handler(ctx ->
        Respond.json(ctx, vertx.eventBus().<JsonObject>request(DashboardVerticle.CURRENT_ADDRESS, null)
            .<JsonObject>map(Message::body)
            .recover(e -> io.vertx.core.Future.failedFuture(
                new UnavailableException("the dashboard could not be computed now; try again in a moment", e))),
            200, body -> body));
  }
}

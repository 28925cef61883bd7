package io.switchboard.hub.app.http;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.spi.CallAction;
import io.switchboard.hub.app.channels.ChannelRuntime;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Call control of voice interactions ({@code /api/v1/interactions/{id}/call/...}), handed to the voice adapter on the
 * node that holds the call: hang-up, hold and resume by the agent working the call or a supervisor; listen, whisper
 * and barge by supervisors only (their own phone rings).
 */
final class CallRoutes {
  private CallRoutes() {}

  static void mount(Router router, ChannelRuntime channels, Stores stores, Authn authn) {
    mount(router, channels, stores, authn, "hangup", CallAction.HANG_UP);
    mount(router, channels, stores, authn, "hold", CallAction.HOLD);
    mount(router, channels, stores, authn, "resume", CallAction.RESUME);
    mount(router, channels, stores, authn, "listen", CallAction.LISTEN);
    mount(router, channels, stores, authn, "whisper", CallAction.WHISPER);
    mount(router, channels, stores, authn, "barge", CallAction.BARGE);
  }

  private static void mount(Router router, ChannelRuntime channels, Stores stores, Authn authn, String path, CallAction action) {
    Role least = action.supervisorOnly() ? Role.SUPERVISOR : Role.AGENT;
    router.post("/api/v1/interactions/:id/call/" + path).handler(authn.staff(least)).handler(ctx -> {
      InteractionId id = Params.pathId(ctx, "id", InteractionId::parse);
      Principal.Staff me = Authn.staff(ctx);
      Respond.json(ctx, stores.interactions().find(stores.db().pool(), id).compose(found -> {
        if (found.isEmpty()) {
          return Future.failedFuture(new NotFoundException("no interaction " + id));
        }
        if (!me.role().atLeast(Role.SUPERVISOR) && !me.agentId().equals(found.get().agentId())) {
          return Future.failedFuture(new ForbiddenException("only the agent working the call or a supervisor may " + path + " it"));
        }
        return channels.control(found.get().channel(), id, action, me.agentId());
      }), 202, x -> new JsonObject().put("interactionId", id.toString()).put("action", path));
    });
  }
}

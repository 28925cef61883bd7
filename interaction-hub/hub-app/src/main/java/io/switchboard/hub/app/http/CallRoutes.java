package io.switchboard.hub.app.http;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.spi.CallAction;
import io.switchboard.hub.app.channels.ChannelRuntime;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Call control of voice interactions ({@code /api/v1/interactions/{id}/call/...}), handed to the voice adapter on the
 * node that holds the call: hang-up, hold and resume by the agent working the call or a supervisor; listen, whisper
 * and barge by supervisors only (their own phone rings).
 */
final class CallRoutes {
  private CallRoutes() {}

  static void mount(Router router, ChannelRuntime channels, InteractionQueries interactions, Authn authn) {
    mount(router, channels, interactions, authn, "hangup", CallAction.HANG_UP);
    mount(router, channels, interactions, authn, "hold", CallAction.HOLD);
    mount(router, channels, interactions, authn, "resume", CallAction.RESUME);
    mount(router, channels, interactions, authn, "listen", CallAction.LISTEN);
    mount(router, channels, interactions, authn, "whisper", CallAction.WHISPER);
    mount(router, channels, interactions, authn, "barge", CallAction.BARGE);
  }

  private static void mount(Router router, ChannelRuntime channels, InteractionQueries interactions, Authn authn,
      String path, CallAction action) {
    Role least = action.supervisorOnly() ? Role.SUPERVISOR : Role.AGENT;
    router.post("/api/v1/interactions/:id/call/" + path).handler(authn.staff(least)).handler(ctx -> {
      InteractionId id = Params.pathId(ctx, "id", InteractionId::parse);
      Principal.Staff me = Authn.staff(ctx);
      Respond.json(ctx, interactions.forCallControl(me, id, path)
          .compose(found -> channels.control(found.channel(), id, action, me.agentId())), 202, x -> new JsonObject().put("interactionId", id.toString()).put("action", path));
    });
  }
}

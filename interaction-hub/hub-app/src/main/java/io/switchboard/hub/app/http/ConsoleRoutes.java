package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.console.CannedResponses;
import io.switchboard.hub.core.console.ConsoleSettings;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.routing.RoutingSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** What the agent console reads once at start: dispositions, canned responses and wrap-up settings. */
final class ConsoleRoutes {
  private ConsoleRoutes() {}

  static void mount(Router router, ConsoleSettings console, RoutingService routing, Authn authn) {
    router.get("/api/v1/console/settings").handler(authn.staff(Role.AGENT)).handler(ctx ->
        ctx.json(settingsJson(console, routing.rules().current().settings())));
  }

  /** The settings as served; wrap-up timing comes from the routing rules in force. */
  static JsonObject settingsJson(ConsoleSettings console, RoutingSettings routing) {
    JsonArray dispositions = new JsonArray();
    console.dispositions().forEach(d -> dispositions.add(new JsonObject().put("code", d.code()).put("label", d.label())));
    JsonArray canned = new JsonArray();
    console.cannedResponses().forEach(c -> canned.add(new JsonObject().put("id", c.id()).put("title", c.title())
        .put("shortcut", c.shortcut()).put("text", c.text()).put("channels", new JsonArray(c.channels()))
        .put("placeholders", new JsonArray(CannedResponses.placeholdersIn(c.text())))));
    return new JsonObject()
        .put("dispositions", dispositions)
        .put("cannedResponses", canned)
        .put("placeholders", new JsonArray(CannedResponses.PLACEHOLDER_ORDER))
        .put("wrapUpRequired", routing.wrapUpRequired())
        .put("afterCallWorkSeconds", routing.afterCallWork().toSeconds())
        .put("notesRequired", console.notesRequired());
  }
}

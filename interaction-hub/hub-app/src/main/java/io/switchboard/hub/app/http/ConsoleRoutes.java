package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.console.CannedResponses;
import io.switchboard.hub.core.console.ConsoleSettings;
import io.switchboard.hub.core.console.ConsoleSettingsException;
import io.switchboard.hub.core.console.ConsoleSettingsService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.routing.RoutingSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * What the agent console reads (dispositions, canned responses and wrap-up settings, always the ones in force),
 * and for admins this node's config/console.yaml: what is loaded, the last rejection, and a reload now.
 */
final class ConsoleRoutes {
  private ConsoleRoutes() {}

  static void mount(Router router, ConsoleSettingsService console, RoutingService routing, Authn authn) {
    var admin = authn.staff(Role.ADMIN);
    router.get("/api/v1/console/settings").handler(authn.staff(Role.AGENT)).handler(ctx ->
        ctx.json(settingsJson(console.current(), routing.rules().current().settings())));
    router.get("/api/v1/console/settings/status").handler(admin).handler(ctx -> ctx.json(statusJson(console)));
    router.post("/api/v1/console/settings/reload").handler(admin).handler(ctx ->
        Respond.json(ctx, console.reload(Authn.principal(ctx)), r -> r.applied() ? 200 : 422, ConsoleRoutes::reloadJson));
    // The admin workspace edits this node's console.yaml: read it with its hash, write it back only over that hash.
    router.get("/api/v1/console/settings/source").handler(admin).handler(ctx ->
        Respond.json(ctx, console.source(), 200, src -> new JsonObject().put("file", console.file().toString())
            .put("sha256", src.sha256()).put("source", src.text())));
    router.put("/api/v1/console/settings/source").handler(admin).handler(ctx -> {
      SourceWrite req = JsonBodies.read(ctx, SourceWrite.class);
      Respond.json(ctx, console.write(req.source(), req.baseSha256(), Authn.principal(ctx)), r -> r.applied() ? 200 : 422,
          ConsoleRoutes::reloadJson);
    });
  }

  /** Body of {@code PUT /api/v1/console/settings/source}. */
  record SourceWrite(String source, String baseSha256) {
    SourceWrite {
      if (source == null || source.isBlank()) {
        throw new ValidationException("source", "is required: the console.yaml text");
      }
      if (source.length() > 1024 * 1024) {
        throw new ValidationException("source", "is longer than 1 MiB");
      }
      if (baseSha256 != null && !baseSha256.matches("[0-9a-f]{64}")) {
        throw new ValidationException("baseSha256", "is not a SHA-256 in hex (from GET /api/v1/console/settings/source)");
      }
    }
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
        .put("notesRequired", console.notesRequired())
        .put("ownAddresses", new JsonArray(console.ownAddresses()));
  }

  /** The file, what is in force from it, and the last rejection since (null when none). */
  static JsonObject statusJson(ConsoleSettingsService console) {
    ConsoleSettingsService.Rejection rejected = console.lastRejected();
    JsonObject lastRejected = rejected == null ? null : new JsonObject()
        .put("sha256", rejected.sha256())
        .put("at", rejected.at().toString())
        .put("by", rejected.by())
        .put("problems", problemsJson(rejected.problems()));
    return loadedJson(console.loaded())
        .put("file", console.file().toString())
        .put("lastRejected", lastRejected);
  }

  /** Routing rules' reload shape: {@code applied}, {@code message}, {@code problems} when rejected; plus what is in force. */
  static JsonObject reloadJson(ConsoleSettingsService.ReloadResult r) {
    JsonObject out = new JsonObject().put("applied", r.applied()).put("changed", r.changed()).put("message", r.message())
        .put("current", loadedJson(r.current()));
    if (!r.problems().isEmpty()) {
      out.put("problems", problemsJson(r.problems()));
    }
    return out;
  }

  private static JsonObject loadedJson(ConsoleSettingsService.Loaded loaded) {
    return new JsonObject()
        .put("source", loaded.fromFile() ? "file" : "defaults")
        .put("sha256", loaded.sha256())
        .put("loadedAt", loaded.loadedAt().toString())
        .put("loadedBy", loaded.by())
        .put("dispositions", loaded.settings().dispositions().size())
        .put("cannedResponses", loaded.settings().cannedResponses().size());
  }

  private static JsonArray problemsJson(List<ConsoleSettingsException.Problem> problems) {
    JsonArray out = new JsonArray();
    problems.forEach(p -> out.add(new JsonObject().put("file", p.file()).put("line", p.line()).put("key", p.key())
        .put("message", p.message())));
    return out;
  }
}

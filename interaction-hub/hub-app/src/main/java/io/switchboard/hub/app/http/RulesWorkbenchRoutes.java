package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.routing.RulesWorkbench;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The admin workspace's rules editor (admins only): validate a draft with its diff against the running version, and
 * simulate it against the running rules on the last days' real arrivals before publishing it with
 * {@code POST /api/v1/routing/rules} (see {@link RoutingRoutes}, which also rolls back).
 */
final class RulesWorkbenchRoutes {
  private RulesWorkbenchRoutes() {}

  /** A draft of routing.yaml. */
  record Draft(String source) {
    Draft {
      checkSource(source);
    }
  }

  /** A draft and how many past days of arrivals to replay (1 to 31, default 7). */
  record SimulationRequest(String source, Integer days) {
    SimulationRequest {
      checkSource(source);
      if (days != null && (days < 1 || days > 31)) {
        throw new ValidationException("days", "must be 1 to 31");
      }
    }
  }

  static void checkSource(String source) {
    if (source == null || source.isBlank()) {
      throw new ValidationException("source", "is required: the routing.yaml text");
    }
    if (source.length() > 512 * 1024) {
      throw new ValidationException("source", "is longer than 512 KiB");
    }
  }

  static void mount(Router router, RulesWorkbench workbench, Authn authn) {
    var admin = authn.staff(Role.ADMIN);
    router.post("/api/v1/routing/rules/validate").handler(admin).handler(ctx -> {
      Draft req = JsonBodies.read(ctx, Draft.class);
      RulesWorkbench.Check check = workbench.check(req.source());
      JsonArray problems = new JsonArray();
      check.problems().forEach(p -> problems.add(new JsonObject().put("file", p.file()).put("line", p.line())
          .put("key", p.key()).put("message", p.message())));
      ctx.json(new JsonObject().put("valid", check.valid()).put("runningVersion", check.runningVersion())
          .put("problems", problems).put("diff", new JsonArray(check.diff())));
    });
    router.post("/api/v1/routing/rules/simulate").handler(admin).handler(ctx -> {
      SimulationRequest req = JsonBodies.read(ctx, SimulationRequest.class);
      Respond.json(ctx, workbench.simulate(req.source(), req.days() == null ? 7 : req.days()), 200, j -> j);
    });
  }
}

package io.switchboard.hub.app.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.auth.Scopes;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.redis.RedisStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Operations: {@code /health} (open, for load balancers: PostgreSQL and Redis reachable, each checked within a
 * second, naming the one that is down),
 * {@code /metrics} (Prometheus text; an admin or supervisor token, or an API key with scope
 * {@code metrics}), the OpenAPI document, the console's static files at {@code /} and its libraries at
 * {@code /webjars/}.
 */
final class OpsRoutes {
  static final java.time.Duration HEALTH_CHECK_BUDGET = java.time.Duration.ofSeconds(1);

  static void mount(Router router, Database db, RedisStore redis, PrometheusMeterRegistry registry, Authn authn,
      java.nio.file.Path demoDir) {
    if (demoDir != null) {
      // The demo pages (such as the web chat widget on a sample site), only while the demo is on; only web
      // pages and their assets, never the seed files beside them.
      router.get("/demo/*").handler(ctx -> {
        String path = ctx.request().path();
        if (path.matches("/demo/[A-Za-z0-9_-]+\\.(html|css|js|svg|png)")) {
          ctx.next();
        } else {
          ctx.fail(404);
        }
      });
      router.get("/demo/*").handler(StaticHandler.create(io.vertx.ext.web.handler.FileSystemAccess.ROOT,
          demoDir.toAbsolutePath().toString()).setCachingEnabled(false).setIncludeHidden(false).setDirectoryListing(false));
    }
    router.get("/health").handler(ctx -> {
      // Each check has a second: a dependency that hangs is reported down instead of holding the load balancer.
      Future<Void> pg = db.ping().timeout(HEALTH_CHECK_BUDGET.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      Future<Void> rd = redis.ping().timeout(HEALTH_CHECK_BUDGET.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      Future.join(pg, rd).onComplete(ar -> {
        JsonObject checks = new JsonObject()
            .put("postgres", pg.succeeded() ? "up" : "down")
            .put("redis", rd.succeeded() ? "up" : "down");
        boolean up = pg.succeeded() && rd.succeeded();
        ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store")
            .end(new JsonObject().put("status", up ? "up" : "down").put("checks", checks).encode());
      });
    });
    router.get("/metrics").handler(authn.staffOrIntegration(Role.SUPERVISOR, Scopes.METRICS)).handler(ctx ->
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    router.get("/api/v1/openapi.yaml").handler(ctx ->
        ctx.response().putHeader("Content-Type", "application/yaml").sendFile("openapi/switchboard.yaml"));
    // The console's libraries from the WebJars on the classpath (versioned paths: cached for a long time).
    router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(true)
        .setMaxAgeSeconds(30L * 24 * 3600).setDirectoryListing(false).setIncludeHidden(false));
    router.get("/*").handler(StaticHandler.create("console").setCachingEnabled(true).setIndexPage("index.html"));
  }
}

package io.switchboard.hub.app.ws;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.http.Problems;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.PasswordHasher;
import io.switchboard.hub.core.interaction.AgentTyping;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.hub.store.redis.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A second agent gateway with limits of the test's choosing (a short auth timeout, a short back-pressure
 * grace), on the hub's Vert.x and over the hub's PostgreSQL and Redis with services of its own, serving on
 * a port of its own. It hears the hub's events through the hub's {@code ClusterEvents}, like the hub's own
 * gateway, and tokens from the hub's login work on it.
 */
final class GatewayUnderTest implements AutoCloseable {
  private final TestHub hub;
  private final Database db;
  private final RedisStore redis;
  private final String deployment;
  private final int port;

  GatewayUnderTest(TestHub hub, AgentSocketGateway.Limits limits, List<String> allowedOrigins) {
    this.hub = hub;
    var vertx = hub.hub().vertx();
    db = Database.connect(vertx, hub.hub().postgresUrl(), null, 4);
    redis = RedisStore.connect(vertx, hub.hub().redisUrl(), null, hub.redisPrefix());
    Stores stores = Stores.over(db);
    AuthService auth = new AuthService(vertx, stores, new SessionStore(redis), new PasswordHasher(4),
        new AuthService.Settings(Duration.ofHours(1), 10, Duration.ofMinutes(15)));
    RulesService rules = new RulesService(vertx, stores, hub.configDirUsed().resolve("routing.yaml"));
    Console.await(rules.start());
    RoutingService routing = new RoutingService(vertx, stores, new RoutingState(redis), rules, Clock.systemUTC());
    Server server = new Server(() -> new AgentSocketGateway(vertx, auth, routing,
        new InteractionQueries(stores), new AgentTyping(vertx, stores), allowedOrigins, null, limits));
    deployment = Console.await(vertx.deployVerticle(server));
    port = server.http.actualPort();
  }

  int port() {
    return port;
  }

  /** Redis stops answering every client (this gateway's sessions included) for {@code d}: {@code CLIENT PAUSE}. */
  void pauseRedis(Duration d) {
    Console.await(redis.call(redis.async().clientPause(d.toMillis())));
  }

  @Override
  public void close() {
    Console.await(hub.hub().vertx().undeploy(deployment));
    redis.close();
    db.close();
  }

  /** The gateway is built in the verticle, so its consumers and sockets live on the verticle's context. */
  private static final class Server extends VerticleBase {
    private final java.util.function.Supplier<AgentSocketGateway> gateway;
    private HttpServer http;

    Server(java.util.function.Supplier<AgentSocketGateway> gateway) {
      this.gateway = gateway;
    }

    @Override
    public Future<?> start() {
      AgentSocketGateway sockets = gateway.get();
      Router router = Router.router(vertx);
      router.get(AgentSocketGateway.PATH).handler(sockets::upgrade);
      router.route().failureHandler(new Problems());
      http = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
      return http.requestHandler(router).listen();
    }
  }
}

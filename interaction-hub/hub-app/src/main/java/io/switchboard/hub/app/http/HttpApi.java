package io.switchboard.hub.app.http;

import io.switchboard.hub.app.config.SwitchboardConfig;
import io.switchboard.hub.app.ws.AgentSocketGateway;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP API served on every event loop: {@code instances} copies of {@link HttpApiVerticle} listening on one
 * port, and the agent socket gateway they share.
 *
 * <p>How it is deployed: first a small verticle on an event loop of its own builds the node's
 * {@link AgentSocketGateway}, whose event bus consumers (the {@code cluster.*} events, dashboard ticks, settings
 * reloads) and store lookups run on that verticle's context, once per node and event. Then the
 * {@link HttpApiVerticle} instances in one deployment, each on an event loop of its own: Vert.x shares a port among
 * the servers of one Vert.x instance (for a configured port 0, any free port, it shares the one the first got) and
 * hands each new connection to the next server's event loop in turn. A socket stays on the loop that accepted it; the
 * gateway reaches it there.
 *
 * <p>Undeploying stops the HTTP instances first (each drains its requests within {@code http.shutdownGrace}; sockets
 * close with 1001), then the gateway's consumers.
 */
public final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  private final Vertx vertx;
  private final HttpApiVerticle first;
  private final String httpDeployment;
  private final String socketEvents;
  private final AgentSocketGateway gateway;

  private HttpApi(Vertx vertx, HttpApiVerticle first, String httpDeployment, String socketEvents,
      AgentSocketGateway gateway) {
    this.vertx = vertx;
    this.first = first;
    this.httpDeployment = httpDeployment;
    this.socketEvents = socketEvents;
    this.gateway = gateway;
  }

  /**
   * Deploys the gateway and {@code instances} HTTP verticles.
   *
   * @param instances how many HTTP verticles (at least 1): the number of event loops serves every loop
   * @param gateway builds the node's agent socket gateway; called on the context its consumers are to live on
   */
  public static Future<HttpApi> deploy(Vertx vertx, SwitchboardConfig.Http config, HttpApiVerticle.Services services,
      int instances, Supplier<AgentSocketGateway> gateway) {
    if (instances < 1) {
      return Future.failedFuture(new IllegalArgumentException("http instances must be at least 1, not " + instances));
    }
    SocketEvents events = new SocketEvents(gateway);
    // Port 0 (any free port) is not shared among servers by Vert.x; a negative port is: every instance then listens on
    // the one free port the first got.
    SwitchboardConfig.Http listen = config.port() == 0 ? config.withPort(-1) : config;
    return vertx.deployVerticle(events).compose(eventsId -> {
      HttpApiVerticle.Shared shared = new HttpApiVerticle.Shared(events.gateway);
      List<HttpApiVerticle> made = new java.util.concurrent.CopyOnWriteArrayList<>();
      return vertx.deployVerticle(() -> {
            HttpApiVerticle v = new HttpApiVerticle(listen, services, shared);
            made.add(v);
            return v;
          }, new DeploymentOptions().setInstances(instances))
          .map(httpId -> new HttpApi(vertx, made.get(0), httpId, eventsId, events.gateway))
          .onSuccess(api -> log.atInfo().addKeyValue("instances", instances).addKeyValue("port", api.port())
              .log("HTTP API served on every event loop"));
    });
  }

  /** The port actually bound. */
  public int port() {
    return first.port();
  }

  /** Every route as "METHOD /path" (every instance has the same). */
  public List<String> routes() {
    return first.routes();
  }

  /** The node's agent socket gateway. */
  public AgentSocketGateway agentSockets() {
    return gateway;
  }

  /** Stops the HTTP instances (draining requests in flight), then the gateway's consumers. */
  public Future<Void> undeploy() {
    return vertx.undeploy(httpDeployment).transform(x -> vertx.undeploy(socketEvents));
  }

  /** Builds the gateway on its own context, so its consumers live there and end with it. */
  private static final class SocketEvents extends VerticleBase {
    private final Supplier<AgentSocketGateway> build;
    private AgentSocketGateway gateway;

    SocketEvents(Supplier<AgentSocketGateway> build) {
      this.build = build;
    }

    @Override
    public Future<?> start() {
      gateway = build.get();
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      return gateway == null ? Future.succeededFuture() : gateway.close();
    }
  }
}

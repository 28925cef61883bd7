package io.switchboard.hub.app.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.hub.app.config.SwitchboardConfig;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.switchboard.hub.core.routing.QueueMembership;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.messaging.AttachmentService;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.app.channels.ChannelRuntime;
import io.switchboard.hub.app.ws.AgentSocketGateway;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under /api/v1, plus /health, /metrics and the console's files. Stops gracefully: no new
 * connections, in-flight requests get the configured grace period to finish.
 *
 * <p>One instance per event loop ({@link HttpApi} deploys them): each has its own router and connection guard, and
 * the instances share the port (Vert.x hands each new connection to the next instance, so a connection and its
 * WebSocket stay on one loop). What must exist once per node comes in {@link Shared}.
 */
public final class HttpApiVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpApiVerticle.class);

  /** What the routes call. */
  public record Services(
      Stores stores,
      RedisStore redis,
      AuthService auth,
      io.switchboard.hub.api.spi.InboundSink intake,
      CustomerService customers,
      InteractionQueries interactions,
      AgentService agents,
      RoutingService routing,
      MessageService messages,
      AttachmentService attachments,
      ChannelRuntime channels,
      PrometheusMeterRegistry registry,
      java.nio.file.Path demoDir,
      io.switchboard.hub.core.console.ConsoleSettingsService console,
      io.switchboard.hub.core.quarantine.QuarantineService quarantine,
      Analytics analytics,
      io.switchboard.hub.core.access.Rights rights) {
    public Services {
      rights = rights == null ? io.switchboard.hub.core.access.Rights.defaults() : rights;
    }
  }

  /**
   * What every instance of a node shares: the agent socket gateway (sockets by agent, on every loop) and the
   * connections per client address.
   */
  public static final class Shared {
    private final AgentSocketGateway agentSockets;
    private final ConnectionGuard.Addresses addresses = new ConnectionGuard.Addresses();

    /** @param agentSockets the node's gateway, built on a context of its own ({@link HttpApi}) */
    public Shared(AgentSocketGateway agentSockets) {
      this.agentSockets = agentSockets;
    }

    /** The node's agent socket gateway. */
    public AgentSocketGateway agentSockets() {
      return agentSockets;
    }

    ConnectionGuard.Addresses addresses() {
      return addresses;
    }
  }

  private final SwitchboardConfig.Http config;
  private final Services services;
  private final Shared shared;
  private HttpServer server;
  private Router router;
  private ConnectionGuard guard;

  /**
   * @param config the listener; several instances with the same port share it
   * @param shared the node-wide parts, the same object for every instance
   */
  public HttpApiVerticle(SwitchboardConfig.Http config, Services services, Shared shared) {
    this.config = config;
    this.services = services;
    this.shared = shared;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** Every route as "METHOD /path" (for the test that holds the OpenAPI document to the code). */
  public java.util.List<String> routes() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (var route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      for (var m : route.methods()) {
        out.add(m.name() + " " + route.getPath());
      }
    }
    return out;
  }

  /** The largest WebSocket message (of any number of frames) handed to a socket's handler: 256 KiB. */
  public static final int WEBSOCKET_MESSAGE_LIMIT = 256 * 1024;

  /** The largest single WebSocket frame the server reads before cutting the connection: 1 MiB. */
  public static final int WEBSOCKET_FRAME_LIMIT = 1024 * 1024;

  /** The smallest body limit of channel endpoints (provider webhooks): 3 MiB, Meta's documented maximum. */
  public static final int CHANNEL_BODY_LIMIT = 3 * 1024 * 1024;

  @Override
  public Future<?> start() {
    router = router();
    var limits = config.connections();
    guard = new ConnectionGuard(vertx, new ConnectionGuard.Limits(limits.headerTimeout(), limits.keepAliveTimeout(),
        limits.bodyTimeout(), limits.maxPerAddress()), shared.addresses());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setMaxHeaderSize(16 * 1024)
        .setIdleTimeout((int) Math.max(1, limits.idleTimeout().toSeconds()))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(true)
        // No HTTP/2 over cleartext: while h2c is possible, Vert.x holds a new connection's first bytes until it can
        // tell HTTP/1.1 from HTTP/2, and only then reports the connection. A client trickling its request head was
        // thus invisible to ConnectionGuard and never cut (#11.6). HTTP/1.1 connections are reported on accept.
        .setHttp2ClearTextEnabled(false)
        // WebSocket limits: a message (all its frames) up to 256 KiB is handed to the socket's handler; one frame may
        // be up to 1 MiB, so a single frame over 64 KiB (Netty's default) or over the message limit still reaches the
        // handler, which answers with its documented error before closing (web chat: frame-too-large, 1009).
        .setMaxWebSocketMessageSize(WEBSOCKET_MESSAGE_LIMIT)
        .setMaxWebSocketFrameSize(WEBSOCKET_FRAME_LIMIT));
    server.connectionHandler(guard.onConnection());
    return server.requestHandler(guard.wrap(router)).listen().onSuccess(s ->
        log.atInfo().addKeyValue("port", s.actualPort()).log("HTTP API listening"));
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  Router router() {
    Router router = Router.router(vertx);
    Problems problems = new Problems();
    // CSP, no-store on the API, no immutable caching of the console (see SecurityHeaders).
    router.route().handler(new SecurityHeaders(config.publicUrl()).handler());
    // The agent console's WebSocket comes before CORS: it checks the origin itself (the hub's own, the
    // public URL, http.allowedOrigins) and refuses others with 403.
    // The node's one gateway: a socket stays on this instance's loop, its agent's events reach it from any loop.
    AgentSocketGateway agentSockets = shared.agentSockets();
    router.get(AgentSocketGateway.PATH).handler(agentSockets::upgrade);
    if (!config.allowedOrigins().isEmpty()) {
      // Browsers on these origins (an embedding web site, a separate console host) may call the API.
      router.route().handler(io.vertx.ext.web.handler.CorsHandler.create()
          .addOrigins(config.allowedOrigins())
          .allowedMethods(java.util.Set.of(io.vertx.core.http.HttpMethod.GET, io.vertx.core.http.HttpMethod.POST,
              io.vertx.core.http.HttpMethod.PUT, io.vertx.core.http.HttpMethod.PATCH, io.vertx.core.http.HttpMethod.DELETE))
          .allowedHeaders(java.util.Set.of("Authorization", "Content-Type", "X-Api-Key"))
          .maxAgeSeconds(600));
    }
    Authn authn = new Authn(services.auth());
    // Uploads read their own body (raw bytes, a larger limit), so they come before the JSON body handler.
    AttachmentRoutes.mount(router, services.attachments(), authn, config.maxAttachmentBytes());
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    AuthRoutes.mount(router, services.auth(), authn, services.routing(), services.rights());
    AccountRoutes.mount(router, services.auth(), services.agents(), authn);
    InboundRoutes.mount(router, services.intake(), authn);
    CustomerRoutes.mount(router, services.customers(), services.interactions().visibility(), services.rights(), authn);
    InteractionRoutes.mount(router, services.interactions(), authn);
    InteractionRoutes.mountSearch(router, new io.switchboard.hub.core.interaction.ConversationSearch(services.stores()), authn);
    QueueMembership queues = new QueueMembership(services.stores(), services.routing());
    StaffRoutes.mount(router, services.agents(), services.routing(), queues, authn);
    QueueMembershipRoutes.mount(router, queues, authn);
    AdminRoutes.mount(router, services.auth(), new io.switchboard.hub.core.audit.AuditLog(services.stores()), authn);
    RoutingRoutes.mount(router, services.routing(), services.console(), authn);
    RulesWorkbenchRoutes.mount(router, new io.switchboard.hub.core.routing.RulesWorkbench(vertx, services.stores(),
        services.routing().rules(), java.time.Clock.systemUTC()), authn);
    ConsoleRoutes.mount(router, services.console(), services.routing(), authn);
    MessageRoutes.mount(router, services.messages(), authn);
    DashboardRoutes.mount(router, vertx, authn);
    QuarantineRoutes.mount(router, services.quarantine(), authn);
    CallRoutes.mount(router, services.channels(), services.interactions(), authn);
    ReportRoutes.mount(router, vertx, services.analytics().reports(), services.analytics().customerKpis(), authn);
    WebhookRoutes.mount(router, services.analytics().webhooks(), authn);
    SurveyRoutes.mount(router, services.analytics().surveys());
    // Channel adapters' own endpoints: upgrades first (no body read), then the body with the same limit.
    router.route("/channels/:adapter/*").handler(services.channels()::upgrade);
    // Providers' webhooks may be larger than API requests: Meta documents up to 3 MB per delivery.
    router.route("/channels/:adapter/*").handler(BodyHandler.create(false)
        .setBodyLimit(Math.max(config.maxBodyBytes(), CHANNEL_BODY_LIMIT)));
    router.route("/channels/:adapter/*").handler(services.channels()::handle);
    OpsRoutes.mount(router, services.stores().db(), services.redis(), services.registry(), authn, services.demoDir());
    router.route().failureHandler(problems);
    router.errorHandler(404, problems);
    router.errorHandler(405, problems);
    router.errorHandler(413, problems);
    router.errorHandler(500, problems);
    return router;
  }
}

package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.app.http.OversizedFrameDrain;
import io.switchboard.hub.app.http.Problems;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.console.ConsoleSettingsService;
import io.switchboard.hub.core.dashboard.DashboardVerticle;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.interaction.AgentTyping;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import io.vertx.core.Context;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent console's WebSocket endpoint, {@code GET /ws/agent}: protocol v1 as described in
 * docs/websocket.md. It authenticates each socket with the login token (first frame), pushes the agent's
 * offers, offer endings, assignments, state changes and the messages of its interactions, and takes the
 * agent's commands (state, accept, decline, resync, ping). Supervisors and admins may also subscribe to the
 * live dashboard (this node's {@link DashboardVerticle} ticks, never blocking on a slow socket: a tick that
 * finds the write queue full is skipped) and watch interactions read-only (their messages and statuses).
 *
 * <p>Events come from {@link ClusterEvents} ({@code cluster.*} addresses), so a console on this node hears
 * of an offer made by a matching pass on another. Each event is read from the stores once per node and
 * handed to the sockets of the agent it concerns; an agent never sees another agent's work. A reload of this
 * node's console settings ({@link ConsoleSettingsService#SETTINGS_CHANGED}, a local event) goes to every socket
 * of this node as {@code settings_changed}.
 *
 * <p>Presence: an authenticated socket keeps its agent present for routing as long as the console answers
 * (pongs to the hub's pings every {@link Limits#heartbeat}, or its own pings). When the last socket of an
 * agent on this node closes, {@link RoutingService#disconnected} requeues the agent's offers at once;
 * when the hub shuts down, sockets close with 1001 without requeuing, so consoles that reconnect to
 * another node keep their offers.
 *
 * <p>Lifecycle and threading: one gateway per node serves the sockets of every HTTP verticle instance, that is of
 * every event loop (docs/architecture.md, "HTTP edge"). Construct it on a context of its own (the HTTP API's socket
 * events verticle): its event bus consumers, store lookups for events and message lanes run there, once per node and
 * event. Each socket stays on the event loop that accepted it ({@link AgentConnection#context()}), where all its state
 * lives without locks; the registries of sockets by agent, dashboard subscribers and watchers are concurrent maps
 * shared by the loops, and an event reaches its sockets on their own contexts: the targets are grouped by context and
 * each group is handed over once ({@link #onEach}), so an event costs one hand-off per event loop that holds a target,
 * none for a target on the gateway's own loop. {@link #close()} ends the consumers.
 * A slow or broken console never blocks the others: writes never
 * wait, a console that stops reading has its events held back and is closed (4408) if it does not catch up.
 * Failures reading the stores are logged and reported to the console; they never close other sockets.
 *
 * <p>Size (over 400 lines, #15): the per-socket work already lives in {@link AgentConnection} and its parts; what is
 * left is the node-wide registry of sockets and the routing of each cluster event to the sockets it concerns, which
 * must change together (a new event kind is a consumer and its delivery rule side by side).
 */
public final class AgentSocketGateway {
  private static final Logger log = LoggerFactory.getLogger(AgentSocketGateway.class);

  /** The endpoint's path. */
  public static final String PATH = "/ws/agent";

  /**
   * Per-socket limits and timings.
   *
   * @param authTimeout time to send a valid {@code auth} frame after connecting
   * @param heartbeat how often the hub pings the console (and tells it to ping, in hello)
   * @param idleTimeout a console that sends nothing (not even pongs) this long is closed
   * @param maxFrameBytes larger client frames are refused with an error
   * @param framesPerSecond sustained client frame rate above which the socket is closed
   * @param frameBurst frames a client may send at once before the rate applies
   * @param backPressureGrace how long a full write queue is tolerated before the socket is closed
   * @param sessionCheck how often the login session is checked again (logout or expiry ends the socket)
   */
  record Limits(Duration authTimeout, Duration heartbeat, Duration idleTimeout, int maxFrameBytes, int framesPerSecond,
      int frameBurst, Duration backPressureGrace, Duration sessionCheck) {
    static Limits defaults() {
      return new Limits(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(15), 16 * 1024, 50, 100,
          Duration.ofSeconds(10), Duration.ofSeconds(30));
    }
  }

  private final Vertx vertx;
  private final AuthService auth;
  private final RoutingService routing;
  private final ConsoleViews views;
  private final OriginPolicy origins;
  private final Limits limits;
  /** Open sockets by agent, on every event loop of this node; a set is changed only inside {@code compute}. */
  private final Map<String, Set<AgentConnection>> byAgent = new ConcurrentHashMap<>();
  /** Message lanes: used on the gateway's own context only. */
  private final Map<String, Future<Void>> lanes = new HashMap<>();
  private final AgentTyping typing;
  /** Supervisor sockets subscribed to the dashboard. */
  private final Set<AgentConnection> dashboards = ConcurrentHashMap.newKeySet();
  /** Supervisor sockets watching an interaction, by interaction id; a set is changed only inside {@code compute}. */
  private final Map<String, Set<AgentConnection>> watchers = new ConcurrentHashMap<>();
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();

  /**
   * @param allowedOrigins origins besides the hub's own that may open the socket (http.allowedOrigins)
   * @param publicUrl how browsers reach the hub (http.publicUrl), also allowed as an origin; may be null
   */
  public AgentSocketGateway(Vertx vertx, AuthService auth, RoutingService routing,
      InteractionQueries interactions, AgentTyping typing, List<String> allowedOrigins, String publicUrl) {
    this(vertx, auth, routing, interactions, typing, allowedOrigins, publicUrl, Limits.defaults());
  }

  AgentSocketGateway(Vertx vertx, AuthService auth, RoutingService routing,
      InteractionQueries interactions, AgentTyping typing, List<String> allowedOrigins, String publicUrl, Limits limits) {
    this.vertx = vertx;
    this.auth = auth;
    this.routing = routing;
    this.views = new ConsoleViews(routing, interactions, Clock.systemUTC());
    this.origins = new OriginPolicy(allowedOrigins, publicUrl);
    this.limits = limits;
    this.typing = typing;
    listen(RoutingService.OFFER_CREATED, this::offerCreated);
    listen(RoutingService.OFFER_WITHDRAWN, e -> each(e, c -> c.offerWithdrawn(e.getString("interactionId"), e.getString("reason"))));
    listen(RoutingService.OFFER_ACCEPTED, e -> each(e, c -> c.assigned(e.getString("interactionId"))));
    listen(RoutingService.AGENT_STATE_CHANGED, e -> each(e, c -> c.stateChanged(e.getString("state"), e.getString("reason"))));
    listen(RoutingService.AGENT_LOAD_CHANGED, e -> each(e, c -> c.loadChanged(e.getJsonObject("load"), e.getJsonObject("capacity"))));
    listen(io.switchboard.hub.core.routing.TransferService.INTERACTION_TRANSFERRED, e ->
        onEach(of(e.getString("fromAgentId")), c -> c.unassigned(e.getString("interactionId"), e.getString("reason"))));
    // Logout, revocation, disable, password or role change on any node: this node's sockets of the agent check
    // their session at once (closing when it ended, taking the new role otherwise).
    listen(AuthService.ACCOUNT_CHANGED, e -> each(e, AgentConnection::recheckSession));
    // Redis lost its data, the sessions with it: every socket of this node checks its session at once (and closes).
    listen(HubEvents.SESSIONS_LOST, e -> onEach(allSockets(), AgentConnection::recheckSession));
    listen(HubEvents.MESSAGE_RECEIVED, this::messageAdded);
    listen(MessageService.MESSAGE_CREATED, this::messageAdded);
    listen(MessageService.MESSAGE_STATUS_CHANGED, this::messageStatusChanged);
    listen(HubEvents.CUSTOMER_TYPING, this::customerTyping);
    listen(io.switchboard.hub.core.interaction.CustomerDepartures.CUSTOMER_LEFT, this::customerLeft);
    listen(ClusterEvents.CALL_STATE, this::callState);
    // Not a cluster event: every node reloads its own console.yaml and tells only its own consoles.
    consumers.add(vertx.eventBus().<Object>localConsumer(ConsoleSettingsService.SETTINGS_CHANGED, m -> {
      if (m.body() instanceof JsonObject body) {
        onEach(allSockets(), c -> c.settingsChanged(body));
      }
    }));
    consumers.add(vertx.eventBus().<Object>localConsumer(DashboardVerticle.TICK_ADDRESS, m -> {
      if (m.body() instanceof JsonObject body && !dashboards.isEmpty()) {
        onEach(new ArrayList<>(dashboards), c -> c.dashboardTick(body));
        // Someone watches: the dashboard stays computed every second (it slows down when nobody does).
        vertx.eventBus().send(DashboardVerticle.WATCHING_ADDRESS, null);
      }
    }));
  }

  /** Ends the gateway's event consumers (the sockets end with their HTTP verticles). */
  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    consumers.forEach(c -> all.add(c.unregister()));
    consumers.clear();
    return Future.join(all).mapEmpty();
  }

  /** Open (authenticated) agent sockets on this node, on every event loop. */
  public int openSockets() {
    return byAgent.values().stream().mapToInt(Set::size).sum();
  }

  /** How many contexts (event loops) the open agent sockets of this node are spread over. */
  public int contextsInUse() {
    Set<Context> contexts = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    allSockets().forEach(c -> contexts.add(c.context()));
    return contexts.size();
  }

  /** Every open (authenticated) agent socket of this node, on every event loop, at this moment. */
  private List<AgentConnection> allSockets() {
    return byAgent.values().stream().flatMap(Set::stream).toList();
  }

  /**
   * The route handler: checks the origin (403 when it is not allowed), then upgrades to a WebSocket. Not a
   * WebSocket handshake: 400. Refusals go to the router's failure handler as {@link Problems.BadRequest}.
   */
  public void upgrade(RoutingContext ctx) {
    var request = ctx.request();
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      ctx.fail(new Problems.BadRequest(400, "websocket-expected",
          "this is the agent console's WebSocket endpoint; connect with a WebSocket client", null));
      return;
    }
    String origin = request.getHeader("Origin");
    if (!origins.allows(origin, request.localAddress() == null ? -1 : request.localAddress().port())) {
      log.atWarn().addKeyValue("origin", origin).addKeyValue("remote", request.remoteAddress())
          .log("agent socket refused: origin not allowed");
      ctx.fail(new Problems.BadRequest(403, "origin-not-allowed",
          "pages from " + origin + " may not open the agent socket (see http.publicUrl and http.allowedOrigins)", null));
      return;
    }
    request.toWebSocket()
        .onSuccess(ws -> {
          OversizedFrameDrain.install(request);
          new AgentConnection(this, ws, limits).start();
        })
        .onFailure(e -> log.atDebug().setCause(e).log("agent socket handshake failed"));
  }

  // ------------------------------------------------------------------ for connections

  Vertx vertx() {
    return vertx;
  }

  AuthService auth() {
    return auth;
  }

  RoutingService routing() {
    return routing;
  }

  ConsoleViews views() {
    return views;
  }

  /** The agent types (or stopped) in an interaction: hub-core's {@link AgentTyping} decides whether they may. */
  Future<Void> agentTyping(Principal.Staff staff, InteractionId id, boolean on) {
    return typing.typing(staff.agentId(), id, on);
  }

  /** Called on the socket's own context. */
  void register(AgentConnection c) {
    byAgent.compute(c.agentId(), (k, set) -> {
      Set<AgentConnection> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(c);
      return s;
    });
  }

  /** The latest dashboard with its history, from this node's {@link DashboardVerticle}. */
  Future<JsonObject> currentDashboard() {
    return vertx.eventBus().<JsonObject>request(DashboardVerticle.CURRENT_ADDRESS, null).map(io.vertx.core.eventbus.Message::body);
  }

  /** The socket gets a {@code dashboard} frame every second from now on. */
  void subscribeDashboard(AgentConnection c) {
    dashboards.add(c);
  }

  void unsubscribeDashboard(AgentConnection c) {
    dashboards.remove(c);
  }

  /** The socket gets the {@code message} and {@code message_status} frames of the interaction from now on. */
  void watch(AgentConnection c, String interactionId) {
    watchers.compute(interactionId, (k, set) -> {
      Set<AgentConnection> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(c);
      return s;
    });
  }

  void unwatch(AgentConnection c, String interactionId) {
    watchers.computeIfPresent(interactionId, (k, set) -> {
      set.remove(c);
      return set.isEmpty() ? null : set;
    });
  }

  /** Forgets a socket; with {@code requeue}, the agent's offers go back when it was the agent's last here. */
  void unregister(AgentConnection c, boolean requeue) {
    dashboards.remove(c);
    c.watched().forEach(id -> unwatch(c, id));
    String agentId = c.agentId();
    // Atomic per agent: of two sockets of one agent closing at once on two event loops, exactly one is the last.
    boolean[] last = {false};
    byAgent.computeIfPresent(agentId, (k, set) -> {
      if (set.remove(c) && set.isEmpty()) {
        last[0] = true;
        return null;
      }
      return set.isEmpty() ? null : set;
    });
    if (!last[0]) {
      return;
    }
    log.atInfo().addKeyValue("agentId", agentId).addKeyValue("requeue", requeue).log("agent console disconnected");
    if (requeue) {
      routing.disconnected(AgentId.parse(agentId)).onFailure(e -> log.atWarn().setCause(e).addKeyValue("agentId", agentId)
          .log("could not requeue the offers of a disconnected console; its presence lapses and the sweep requeues them"));
    }
  }

  // ------------------------------------------------------------------ events

  private void listen(String event, Handler<JsonObject> handler) {
    consumers.add(vertx.eventBus().<Object>localConsumer(ClusterEvents.address(event), m -> {
      if (m.body() instanceof JsonObject body) {
        handler.handle(body);
      }
    }));
  }

  /**
   * The event loop context under {@code context}: Vert.x gives each HTTP request a duplicate of its loop's context, so
   * sockets of one loop are grouped (and recognised as local) by the context they duplicate. Null for null.
   */
  static Context eventLoopOf(Context context) {
    return context instanceof io.vertx.core.internal.ContextInternal internal ? internal.unwrap() : context;
  }

  /**
   * Runs {@code action} for each target on the target's own context: targets are grouped by context, a group on the
   * calling context runs at once, every other group is handed to its context in one task.
   */
  static void onEach(Collection<AgentConnection> targets, Consumer<AgentConnection> action) {
    if (targets.isEmpty()) {
      return;
    }
    Context here = eventLoopOf(Vertx.currentContext());
    Map<Context, List<AgentConnection>> byContext = new IdentityHashMap<>();
    for (AgentConnection c : targets) {
      byContext.computeIfAbsent(c.context(), k -> new ArrayList<>(1)).add(c);
    }
    byContext.forEach((context, group) -> {
      if (context == here) {
        group.forEach(action);
      } else {
        context.runOnContext(v -> group.forEach(action));
      }
    });
  }

  private List<AgentConnection> of(String agentId) {
    Set<AgentConnection> set = agentId == null ? null : byAgent.get(agentId);
    return set == null ? List.of() : new ArrayList<>(set);
  }

  private void each(JsonObject event, Consumer<AgentConnection> action) {
    onEach(of(event.getString("agentId")), action);
  }

  private void offerCreated(JsonObject e) {
    List<AgentConnection> targets = of(e.getString("agentId"));
    if (targets.isEmpty()) {
      return;
    }
    String interactionId = e.getString("interactionId");
    Future<JsonObject> view = views.offer(interactionId, e.getString("channel"), e.getString("expiresAt"));
    onEach(targets, c -> c.offerCreated(interactionId, view));
  }

  /** A customer's message or a reply/note: lookups in order per interaction, so messages keep their order. */
  private void messageAdded(JsonObject e) {
    if (byAgent.isEmpty()) {
      return;
    }
    String messageId = e.getString("messageId");
    inLane("i:" + e.getString("interactionId"), () -> views.message(messageId).onSuccess(found -> deliver(found, true)));
  }

  /** A customer's typing goes to the agent working the interaction (looked up per event; the widget throttles). */
  private void customerTyping(JsonObject e) {
    if (byAgent.isEmpty() || !(e.getValue("interactionId") instanceof String raw)) {
      return;
    }
    InteractionId id;
    try {
      id = InteractionId.parse(raw);
    } catch (IllegalArgumentException ex) {
      return;
    }
    boolean on = Boolean.TRUE.equals(e.getValue("on"));
    views.answeringAgent(id).onSuccess(found -> found
        .ifPresent(agent -> onEach(of(agent.toString()), c -> c.customerTyping(raw, on))));
  }

  /** The customer ended the contact: the agent working it (when it was being worked) and its watchers are told. */
  private void customerLeft(JsonObject e) {
    Set<AgentConnection> targets = new LinkedHashSet<>(of(e.getString("agentId")));
    targets.addAll(watchers.getOrDefault(e.getString("interactionId"), Set.of()));
    onEach(targets, c -> c.customerLeft(e));
  }

  /** A call's state: to the agent on the call and the supervisors watching it. */
  private void callState(JsonObject e) {
    Set<AgentConnection> targets = new LinkedHashSet<>(e.getString("agentId") == null ? List.of() : of(e.getString("agentId")));
    targets.addAll(watchers.getOrDefault(e.getString("interactionId"), Set.of()));
    onEach(targets, c -> c.callState(e));
  }

  private void messageStatusChanged(JsonObject e) {
    if (byAgent.isEmpty()) {
      return;
    }
    String messageId = e.getString("messageId");
    inLane("m:" + messageId, () -> views.messageStatus(messageId, e.getString("status"), e.getString("reason"))
        .onSuccess(found -> deliver(found, false)));
  }

  /** To the sockets of the agent working the interaction, and to the supervisors watching it (once each). */
  private void deliver(Optional<ConsoleViews.Routed> found, boolean message) {
    found.ifPresent(r -> {
      Set<AgentConnection> targets = new LinkedHashSet<>(of(r.agentId()));
      targets.addAll(watchers.getOrDefault(r.interactionId(), Set.of()));
      onEach(targets, c -> {
        if (message) {
          c.message(r.frame());
        } else {
          c.messageStatus(r.frame());
        }
      });
    });
  }

  /** Runs {@code step} after the previous step of the same lane; lanes are dropped when idle. */
  private void inLane(String key, Supplier<Future<?>> step) {
    Future<Void> previous = lanes.getOrDefault(key, Future.succeededFuture());
    Future<Void> next = previous.transform(x -> {
      try {
        return step.get().<Void>mapEmpty();
      } catch (RuntimeException e) {
        return Future.<Void>failedFuture(e);
      }
    }).onFailure(e -> log.atWarn().setCause(e).addKeyValue("lane", key).log("could not push a message to agent consoles"));
    lanes.put(key, next);
    next.onComplete(x -> {
      if (lanes.get(key) == next) {
        lanes.remove(key);
      }
    });
  }
}

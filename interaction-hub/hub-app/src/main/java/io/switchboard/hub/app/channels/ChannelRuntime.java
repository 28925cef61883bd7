package io.switchboard.hub.app.channels;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.app.http.OversizedFrameDrain;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.Quarantine;
import io.switchboard.hub.api.spi.ChannelLeases;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.messaging.AdapterDirectory;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.LeaseStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel adapters on the classpath (found with {@link ServiceLoader}), each started with a context of
 * its own: the intake, its settings ({@code channels.<name>} in switchboard.yaml), its secrets
 * ({@code SWITCHBOARD_<NAME>_<SECRET>} from the environment), its HTTP endpoints under
 * {@code /channels/<name>}, delivery status updates and conversation reads. Also the directory the delivery
 * relay asks for the adapter that reaches a recipient. The hub never switches on a channel type.
 */
public final class ChannelRuntime implements AdapterDirectory {
  private static final Logger log = LoggerFactory.getLogger(ChannelRuntime.class);

  /** Event (this node): an adapter set a message aside for supervisors ({@code adapter, source, reason}). */
  public static final String QUARANTINE_STORED = io.switchboard.hub.api.event.HubEvents.QUARANTINE_STORED;

  /** Event: a customer ended a contact ({@code interactionId, reason, abandoned, agentId, at, adapter}). */
  public static final String CUSTOMER_LEFT = io.switchboard.hub.core.interaction.CustomerDepartures.CUSTOMER_LEFT;

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingService routing;
  private final InboundSink intake;
  private final Map<String, Map<String, Object>> settings;
  private final Map<String, String> env;
  private final Supplier<String> publicUrl;
  private final List<ChannelAdapter> adapters = new ArrayList<>();
  private final Map<String, ChannelHttp.RequestHandler> routes = new ConcurrentHashMap<>();
  private final Map<String, Handler<ServerWebSocket>> sockets = new ConcurrentHashMap<>();

  private final LeaseStore leases;
  private io.switchboard.hub.api.spi.Surveys surveys = io.switchboard.hub.api.spi.Surveys.NONE;
  private final io.switchboard.hub.core.interaction.CustomerDepartures departures;
  private final io.switchboard.hub.core.interaction.InteractionAttributes attributes;
  private final io.switchboard.hub.core.interaction.ChannelLookups lookups;
  private final io.switchboard.hub.core.quarantine.QuarantineService quarantine;
  private final io.switchboard.hub.core.dashboard.WaitEstimates waits;
  private final io.switchboard.hub.core.messaging.DeliveryStatuses deliveryStatuses;
  private final io.switchboard.hub.core.messaging.ChannelConversations conversations;

  public ChannelRuntime(Vertx vertx, Stores stores, RoutingService routing, InboundSink intake,
      Map<String, Map<String, Object>> settings, Map<String, String> env, Supplier<String> publicUrl, LeaseStore leases,
      io.switchboard.hub.core.customer.IdentityNormalizer normalizer) {
    this.vertx = vertx;
    this.lookups = new io.switchboard.hub.core.interaction.ChannelLookups(stores, normalizer);
    this.quarantine = new io.switchboard.hub.core.quarantine.QuarantineService(stores);
    this.attributes = new io.switchboard.hub.core.interaction.InteractionAttributes(vertx, stores, java.time.Clock.systemUTC());
    this.leases = leases;
    this.stores = stores;
    this.routing = routing;
    this.intake = intake;
    this.settings = settings;
    this.env = env;
    this.publicUrl = publicUrl;
    this.departures = new io.switchboard.hub.core.interaction.CustomerDepartures(vertx, stores, routing, java.time.Clock.systemUTC());
    this.waits = new io.switchboard.hub.core.dashboard.WaitEstimates(vertx);
    this.deliveryStatuses = new io.switchboard.hub.core.messaging.DeliveryStatuses(vertx, stores);
    this.conversations = new io.switchboard.hub.core.messaging.ChannelConversations(stores, routing, waits);
  }

  /** Finds and starts every adapter; a failed start fails the hub with the adapter's message. */
  public Future<List<String>> start() {
    List<ChannelAdapter> found = new ArrayList<>();
    for (ChannelAdapter a : ServiceLoader.load(ChannelAdapter.class)) {
      found.add(a);
    }
    Map<String, ChannelAdapter> byName = new LinkedHashMap<>();
    for (ChannelAdapter a : found) {
      if (byName.putIfAbsent(a.name(), a) != null) {
        return Future.failedFuture(new IllegalStateException("two channel adapters are named '" + a.name() + "'"));
      }
    }
    for (String configured : settings.keySet()) {
      if (!byName.containsKey(configured)) {
        return Future.failedFuture(new io.switchboard.hub.app.config.ConfigException(
            "switchboard.yaml: channels." + configured + ": no channel adapter of that name (found: " + byName.keySet() + ")"));
      }
    }
    Future<Void> chain = Future.succeededFuture();
    for (ChannelAdapter a : found) {
      chain = chain.compose(x -> a.start(context(a))
          .recover(e -> Future.failedFuture(new IllegalStateException("channel adapter '" + a.name() + "' did not start: " + e.getMessage(), e)))
          .onSuccess(y -> {
            adapters.add(a);
            log.atInfo().addKeyValue("adapter", a.name()).addKeyValue("channel", a.channel().wireName()).log("channel adapter started");
          }));
    }
    return chain.map(x -> {
      forwardLifecycleEvents();
      return adapters.stream().map(ChannelAdapter::name).toList();
    });
  }

  /**
   * Live-session adapters (voice) hear what happens to their interactions: offers made, withdrawn and accepted,
   * transfers. The events come from every node ({@code cluster.*}); an adapter acts only on the calls it holds.
   */
  private void forwardLifecycleEvents() {
    List<ChannelAdapter> live = adapters.stream().filter(a -> a.kind() == ChannelAdapter.Kind.LIVE_SESSION).toList();
    if (live.isEmpty()) {
      return;
    }
    var bus = vertx.eventBus();
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_CREATED), m -> {
      JsonObject b = m.body();
      tell(live, b.getString("channel"), () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Offered(
          InteractionId.parse(b.getString("interactionId")), io.switchboard.hub.api.AgentId.parse(b.getString("agentId")),
          b.getString("queue")));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_WITHDRAWN), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Withdrawn(
          InteractionId.parse(b.getString("interactionId")),
          b.getString("agentId") == null ? null : io.switchboard.hub.api.AgentId.parse(b.getString("agentId")), b.getString("reason")));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(
        io.switchboard.hub.core.routing.TransferService.INTERACTION_TRANSFERRED), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Transferred(
          InteractionId.parse(b.getString("interactionId")), b.getString("toQueue"),
          b.getString("toAgentId") == null ? null : io.switchboard.hub.api.AgentId.parse(b.getString("toAgentId"))));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_ACCEPTED), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Accepted(
          InteractionId.parse(b.getString("interactionId")), io.switchboard.hub.api.AgentId.parse(b.getString("agentId"))));
    });
  }

  private void tell(List<ChannelAdapter> live, String channel, Supplier<io.switchboard.hub.api.spi.InteractionLifecycleEvent> event) {
    io.switchboard.hub.api.spi.InteractionLifecycleEvent e;
    try {
      e = event.get();
    } catch (RuntimeException bad) {
      log.atWarn().setCause(bad).log("ignoring a lifecycle event with missing or malformed ids");
      return;
    }
    for (ChannelAdapter a : live) {
      if (channel != null && !a.channel().wireName().equals(channel)) {
        continue;
      }
      a.onInteractionEvent(e).onFailure(f -> log.atWarn().setCause(f).addKeyValue("adapter", a.name())
          .addKeyValue("interactionId", e.interactionId()).log("adapter did not handle a lifecycle event"));
    }
  }

  /** Stops every adapter (failures are logged, not thrown). */
  public Future<Void> stop() {
    waits.close();
    List<Future<Void>> all = new ArrayList<>();
    for (ChannelAdapter a : adapters) {
      all.add(a.stop().recover(e -> {
        log.atWarn().setCause(e).addKeyValue("adapter", a.name()).log("channel adapter did not stop cleanly");
        return Future.succeededFuture();
      }));
    }
    return Future.join(all).mapEmpty();
  }

  /**
   * The adapter for a recipient: by provider name for handles, else the first adapter of the channel that can
   * send at all (an email adapter without a sending mailbox does not hide another), else the first of the channel.
   */
  @Override
  public Optional<ChannelAdapter> forRecipient(Channel channel, SenderAddress recipient) {
    ChannelAdapter fallback = null;
    for (ChannelAdapter a : adapters) {
      if (a.channel() != channel) {
        continue;
      }
      if (recipient.kind() != IdentityKind.HANDLE || a.name().equals(recipient.provider())) {
        if (a.sendReadiness(Map.of()).canSend()) {
          return Optional.of(a);
        }
        fallback = fallback == null ? a : fallback;
      }
    }
    return Optional.ofNullable(fallback);
  }

  /**
   * Hands a call-control action to the live-session adapter of the interaction's channel.
   *
   * @throws io.switchboard.hub.api.error.ConflictException (failed future) when no running adapter controls calls of
   *     that channel
   */
  public Future<Void> control(Channel channel, InteractionId interaction, io.switchboard.hub.api.spi.CallAction action,
      io.switchboard.hub.api.AgentId by) {
    for (ChannelAdapter a : adapters) {
      if (a.channel() == channel && a.kind() == ChannelAdapter.Kind.LIVE_SESSION) {
        return a.control(interaction, action, by);
      }
    }
    return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException(
        "interaction " + interaction + " is not a call (channel " + channel.wireName() + ")"));
  }

  /**
   * Satisfaction surveys for the adapters ({@link ChannelContext#surveys()}); set before {@link #start()}, none by
   * default.
   */
  public void surveys(io.switchboard.hub.api.spi.Surveys surveys) {
    this.surveys = java.util.Objects.requireNonNull(surveys, "surveys");
  }

  /** The first running adapter's mail sender (the email adapter's), looked up when asked. */
  public MailSender mailSender() {
    for (ChannelAdapter a : adapters) {
      MailSender sender = a.mailSender();
      if (sender != null) {
        return sender;
      }
    }
    return MailSender.NONE;
  }

  /** First handler on {@code /channels/:adapter/*}: WebSocket upgrades go to the adapter before any body is read. */
  public void upgrade(RoutingContext ctx) {
    Handler<ServerWebSocket> socket = sockets.get(key(ctx));
    if (socket != null && "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.request().toWebSocket().onSuccess(ws -> {
        OversizedFrameDrain.install(ctx.request());
        socket.handle(ws);
      }).onFailure(ctx::fail);
      return;
    }
    ctx.next();
  }

  /** Last handler on {@code /channels/:adapter/*}, after the body handler: the adapter's route, or 404. */
  public void handle(RoutingContext ctx) {
    ChannelHttp.RequestHandler route = routes.get(key(ctx));
    if (route == null) {
      ctx.next();
      return;
    }
    io.vertx.core.buffer.Buffer body = ctx.body() == null || ctx.body().buffer() == null
        ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer();
    route.handle(ctx.request(), body);
  }

  private static String key(RoutingContext ctx) {
    String adapter = ctx.pathParam("adapter");
    String rest = ctx.request().path().substring(("/channels/" + adapter).length());
    return adapter + " " + (rest.isEmpty() ? "/" : rest);
  }

  private ChannelContext context(ChannelAdapter adapter) {
    String name = adapter.name();
    Map<String, Object> own = settings.getOrDefault(name, Map.of());
    var broadcast = new ClusterBroadcast(vertx, name);
    var adapterLeases = new io.switchboard.hub.core.cluster.ClusterLeases(leases, name);
    var cursors = new io.switchboard.hub.core.messaging.StoredCursors(stores, name);
    return new ChannelContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public InboundSink inbound() {
        return intake;
      }

      @Override
      public Map<String, Object> settings() {
        return own;
      }

      @Override
      public String secret(String secretName) {
        String key = ("SWITCHBOARD_" + name + "_" + secretName).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v;
      }

      @Override
      public ChannelHttp http() {
        return new ChannelHttp() {
          @Override
          public void route(String path, RequestHandler handler) {
            routes.put(name + " " + path, handler);
          }

          @Override
          public void webSocket(String path, Handler<ServerWebSocket> handler) {
            sockets.put(name + " " + path, handler);
          }

          @Override
          public String baseUrl() {
            return publicUrl.get() + "/channels/" + name;
          }
        };
      }

      @Override
      public DeliverySink deliveries() {
        return deliveryStatuses;
      }

      @Override
      public io.switchboard.hub.api.spi.InteractionControl interactions() {
        return new io.switchboard.hub.api.spi.InteractionControl() {
          @Override
          public Future<Boolean> customerLeft(InteractionId interaction, String reason) {
            return departures.left(interaction, reason, name);
          }

          @Override
          public Future<Void> agentAnswered(InteractionId interaction, io.switchboard.hub.api.AgentId agent) {
            var staff = new io.switchboard.hub.core.auth.Principal.Staff(agent, "phone", io.switchboard.hub.api.Role.AGENT);
            // Accepted already (the console's accept won the race): that is the answer too.
            return routing.accept(staff, interaction).recover(e -> lookups.assignedTo(interaction, agent)
                .compose(ok -> ok ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(e)));
          }

          @Override
          public Future<Void> callState(io.switchboard.hub.api.spi.CallState state) {
            vertx.eventBus().publish(io.switchboard.hub.core.cluster.ClusterEvents.CALL_STATE,
                new JsonObject().put("interactionId", state.interaction().toString())
                    .put("agentId", state.agent() == null ? null : state.agent().toString())
                    .put("state", state.phase().wireName()).put("since", state.since().toString())
                    .put("talkingSince", state.talkingSince() == null ? null : state.talkingSince().toString())
                    .put("recording", state.recording()));
            return Future.succeededFuture();
          }

          @Override
          public Future<Boolean> updateAttributes(InteractionId interaction, Map<String, String> changes, String reason) {
            return attributes.update(interaction, changes, reason, name);
          }
        };
      }

      @Override
      public io.switchboard.hub.api.spi.BusinessHours businessHours() {
        return new io.switchboard.hub.api.spi.BusinessHours() {
          @Override
          public java.util.Set<String> calendars() {
            try {
              return java.util.Set.copyOf(routing.rules().current().calendarNames());
            } catch (IllegalStateException notLoaded) {
              return java.util.Set.of();
            }
          }

          @Override
          public java.util.Optional<Boolean> isOpen(String calendar, java.time.Instant at) {
            try {
              var rules = routing.rules().current();
              return rules.calendarNames().contains(calendar)
                  ? java.util.Optional.of(rules.isOpen(calendar, at.atZone(java.time.ZoneOffset.UTC)))
                  : java.util.Optional.empty();
            } catch (IllegalStateException notLoaded) {
              return java.util.Optional.empty();
            }
          }
        };
      }

      @Override
      public Future<Boolean> knownCustomer(io.switchboard.hub.api.SenderAddress identity) {
        return lookups.knownCustomer(identity);
      }

      @Override
      public Future<List<io.switchboard.hub.api.spi.OpenInteraction>> openInteractions() {
        return lookups.openInteractions(adapter.channel());
      }

      @Override
      public Future<String> phoneEndpoint(io.switchboard.hub.api.AgentId agent) {
        return lookups.phoneEndpoint(agent);
      }

      @Override
      public io.switchboard.hub.api.spi.ChannelBroadcast broadcast() {
        return broadcast;
      }

      @Override
      public ChannelLeases leases() {
        return adapterLeases;
      }

      @Override
      public ChannelCursors cursors() {
        return cursors;
      }

      @Override
      public Quarantine quarantine() {
        return item -> quarantine.setAside(item).onSuccess(stored -> {
          if (stored) {
            log.atWarn().addKeyValue("adapter", name).addKeyValue("source", item.source())
                .addKeyValue("reference", item.reference()).addKeyValue("reason", item.reason())
                .log("message set aside for supervisors");
            vertx.eventBus().publish(QUARANTINE_STORED, new JsonObject().put("adapter", name).put("source", item.source())
                .put("reason", item.reason()));
          }
        });
      }

      @Override
      public io.switchboard.hub.api.spi.Surveys surveys() {
        return surveys;
      }

      @Override
      public MailSender mail() {
        return new MailSender() {
          @Override
          public io.switchboard.hub.api.spi.SendReadiness readiness(String mailbox) {
            return mailSender().readiness(mailbox);
          }

          @Override
          public Future<String> send(SystemEmail email) {
            return mailSender().send(email);
          }
        };
      }

      @Override
      public ConversationReader conversations() {
        return conversations;
      }
    };
  }
}

package io.switchboard.hub.app.channels;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ChannelLeases;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.Quarantine;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.LeaseStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub as one channel adapter sees it ({@link ChannelContext}): its settings and secrets, its HTTP endpoints under
 * {@code /channels/<name>}, and the hub-core services it reports to and reads from, each under the adapter's name
 * (leases, cursors, broadcast, quarantine). One per adapter, made by {@link ChannelRuntime} before the adapter starts;
 * it only translates between the SPI and hub-core.
 */
final class AdapterContext implements ChannelContext {
  private static final Logger log = LoggerFactory.getLogger(AdapterContext.class);

  /** What every adapter's context shares: the hub's parts, and the endpoint tables {@link ChannelRuntime} serves. */
  record Parts(Vertx vertx, Stores stores, RoutingService routing, InboundSink intake, Map<String, String> env,
      Supplier<String> publicUrl, LeaseStore leases, Map<String, ChannelHttp.RequestHandler> routes,
      Map<String, Handler<ServerWebSocket>> sockets, io.switchboard.hub.core.interaction.CustomerDepartures departures,
      io.switchboard.hub.core.interaction.InteractionAttributes attributes,
      io.switchboard.hub.core.interaction.ChannelLookups lookups,
      io.switchboard.hub.core.quarantine.QuarantineService quarantine,
      io.switchboard.hub.core.messaging.DeliveryStatuses deliveryStatuses,
      io.switchboard.hub.core.messaging.ChannelConversations conversations,
      Supplier<io.switchboard.hub.api.spi.Surveys> surveys, Supplier<MailSender> mailSender) {}

  private final Parts parts;
  private final ChannelAdapter adapter;
  private final String name;
  private final Map<String, Object> own;
  private final ClusterBroadcast broadcast;
  private final ChannelLeases adapterLeases;
  private final ChannelCursors cursors;

  AdapterContext(Parts parts, ChannelAdapter adapter, Map<String, Object> settings) {
    this.parts = parts;
    this.adapter = adapter;
    this.name = adapter.name();
    this.own = settings;
    this.broadcast = new ClusterBroadcast(parts.vertx(), name);
    this.adapterLeases = new io.switchboard.hub.core.cluster.ClusterLeases(parts.leases(), name);
    this.cursors = new io.switchboard.hub.core.messaging.StoredCursors(parts.stores(), name);
  }

  @Override
  public Vertx vertx() {
    return parts.vertx();
  }

  @Override
  public InboundSink inbound() {
    return parts.intake();
  }

  @Override
  public Map<String, Object> settings() {
    return own;
  }

  @Override
  public String secret(String secretName) {
    String key = ("SWITCHBOARD_" + name + "_" + secretName).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    String v = parts.env().get(key);
    return v == null || v.isBlank() ? null : v;
  }

  @Override
  public ChannelHttp http() {
    return new ChannelHttp() {
      @Override
      public void route(String path, RequestHandler handler) {
        parts.routes().put(name + " " + path, handler);
      }

      @Override
      public void webSocket(String path, Handler<ServerWebSocket> handler) {
        parts.sockets().put(name + " " + path, handler);
      }

      @Override
      public String baseUrl() {
        return parts.publicUrl().get() + "/channels/" + name;
      }
    };
  }

  @Override
  public DeliverySink deliveries() {
    return parts.deliveryStatuses();
  }

  @Override
  public io.switchboard.hub.api.spi.InteractionControl interactions() {
    return new io.switchboard.hub.api.spi.InteractionControl() {
      @Override
      public Future<Boolean> customerLeft(InteractionId interaction, String reason) {
        return parts.departures().left(interaction, reason, name);
      }

      @Override
      public Future<Void> agentAnswered(InteractionId interaction, io.switchboard.hub.api.AgentId agent) {
        var staff = new io.switchboard.hub.core.auth.Principal.Staff(agent, "phone", io.switchboard.hub.api.Role.AGENT);
        // Accepted already (the console's accept won the race): that is the answer too.
        return parts.routing().accept(staff, interaction).recover(e -> parts.lookups().assignedTo(interaction, agent)
            .compose(ok -> ok ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(e)));
      }

      @Override
      public Future<Boolean> offerLost(InteractionId interaction, String reason) {
        return parts.routing().withdrawLostOffer(interaction, reason);
      }

      @Override
      public Future<Void> callState(io.switchboard.hub.api.spi.CallState state) {
        parts.vertx().eventBus().publish(io.switchboard.hub.core.cluster.ClusterEvents.CALL_STATE,
            new JsonObject().put("interactionId", state.interaction().toString())
                .put("agentId", state.agent() == null ? null : state.agent().toString())
                .put("state", state.phase().wireName()).put("since", state.since().toString())
                .put("talkingSince", state.talkingSince() == null ? null : state.talkingSince().toString())
                .put("recording", state.recording()));
        return Future.succeededFuture();
      }

      @Override
      public Future<Boolean> updateAttributes(InteractionId interaction, Map<String, String> changes, String reason) {
        return parts.attributes().update(interaction, changes, reason, name);
      }
    };
  }

  @Override
  public io.switchboard.hub.api.spi.BusinessHours businessHours() {
    return new io.switchboard.hub.api.spi.BusinessHours() {
      @Override
      public java.util.Set<String> calendars() {
        try {
          return java.util.Set.copyOf(parts.routing().rules().current().calendarNames());
        } catch (IllegalStateException notLoaded) {
          return java.util.Set.of();
        }
      }

      @Override
      public java.util.Optional<Boolean> isOpen(String calendar, java.time.Instant at) {
        try {
          var rules = parts.routing().rules().current();
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
    return parts.lookups().knownCustomer(identity);
  }

  @Override
  public Future<List<io.switchboard.hub.api.spi.OpenInteraction>> openInteractions() {
    return parts.lookups().openInteractions(adapter.channel());
  }

  @Override
  public Future<String> phoneEndpoint(io.switchboard.hub.api.AgentId agent) {
    return parts.lookups().phoneEndpoint(agent);
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
    return item -> parts.quarantine().setAside(item).onSuccess(stored -> {
      if (stored) {
        log.atWarn().addKeyValue("adapter", name).addKeyValue("source", item.source())
            .addKeyValue("reference", item.reference()).addKeyValue("reason", item.reason())
            .log("message set aside for supervisors");
        parts.vertx().eventBus().publish(ChannelRuntime.QUARANTINE_STORED, new JsonObject().put("adapter", name).put("source", item.source())
            .put("reason", item.reason()));
      }
    });
  }

  @Override
  public io.switchboard.hub.api.spi.Surveys surveys() {
    return parts.surveys().get();
  }

  @Override
  public MailSender mail() {
    return new MailSender() {
      @Override
      public io.switchboard.hub.api.spi.SendReadiness readiness(String mailbox) {
        return parts.mailSender().get().readiness(mailbox);
      }

      @Override
      public Future<String> send(SystemEmail email) {
        return parts.mailSender().get().send(email);
      }
    };
  }

  @Override
  public ConversationReader conversations() {
    return parts.conversations();
  }
}

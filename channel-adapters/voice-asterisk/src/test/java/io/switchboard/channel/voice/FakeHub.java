package io.switchboard.channel.voice;

import io.switchboard.hub.testsupport.RealAsterisk;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.InteractionControl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hub as the voice adapter sees it, in memory: intake dedupes on the external id like the real one, the queue
 * position is fixed, and what the adapter tells the hub is recorded for assertions.
 */
final class FakeHub implements ChannelContext {
  final Vertx vertx;
  final Map<String, Object> settings;
  final List<InboundContact> contacts = new CopyOnWriteArrayList<>();
  final Map<String, IntakeResult> byExternalId = new ConcurrentHashMap<>();
  final List<String> left = new CopyOnWriteArrayList<>();
  final List<String> answered = new CopyOnWriteArrayList<>();
  /** Offers the adapter reported lost ({@code InteractionControl.offerLost}): "interaction reason". */
  final List<String> lost = new CopyOnWriteArrayList<>();
  /** How often the adapter read the open interactions (once per reconciliation). */
  final java.util.concurrent.atomic.AtomicInteger openReads = new java.util.concurrent.atomic.AtomicInteger();
  /** Every call state the adapter reported, in order. */
  final List<io.switchboard.hub.api.spi.CallState> states = new CopyOnWriteArrayList<>();
  final Map<AgentId, String> endpoints = new ConcurrentHashMap<>();
  volatile boolean refuseAnswers;
  final List<io.switchboard.hub.api.spi.OpenInteraction> open = new CopyOnWriteArrayList<>();
  /** Attribute changes adapters asked for: "interactionId reason" with the attributes. */
  final List<Map.Entry<String, Map<String, String>>> attributeChanges = new CopyOnWriteArrayList<>();
  /** Calendars by name: open or closed. */
  final Map<String, Boolean> calendars = new ConcurrentHashMap<>(Map.of("support", true));
  /** Customer numbers the hub knows (identities customer-number:<digits>). */
  final java.util.Set<String> customerNumbers = ConcurrentHashMap.newKeySet();
  final List<String> lookups = new CopyOnWriteArrayList<>();
  /** The hub fails attribute changes and customer lookups (a store that does not answer). */
  volatile boolean failAttributes;
  volatile boolean failLookups;

  FakeHub(Vertx vertx, Map<String, Object> settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public InboundSink inbound() {
    return contact -> {
      contacts.add(contact);
      IntakeResult first = byExternalId.get(contact.externalId());
      if (first != null) {
        return Future.succeededFuture(new IntakeResult(IntakeResult.Outcome.DUPLICATE, first.interactionId(),
            first.conversationId(), first.customerId(), first.messageId()));
      }
      IntakeResult r = new IntakeResult(IntakeResult.Outcome.CREATED, InteractionId.random(), ConversationId.random(),
          CustomerId.random(), MessageId.random());
      byExternalId.put(contact.externalId(), r);
      return Future.succeededFuture(r);
    };
  }

  @Override
  public Map<String, Object> settings() {
    return settings;
  }

  @Override
  public String secret(String name) {
    return "AMI_SECRET".equals(name) ? RealAsterisk.AMI_SECRET : null;
  }

  @Override
  public ChannelHttp http() {
    throw new UnsupportedOperationException();
  }

  @Override
  public DeliverySink deliveries() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ConversationReader conversations() {
    return new ConversationReader() {
      @Override
      public Future<List<io.switchboard.hub.api.Message>> messages(ConversationId c, java.time.Instant after, int limit) {
        return Future.succeededFuture(List.of());
      }

      @Override
      public Future<QueuePosition> position(InteractionId interaction) {
        return Future.succeededFuture(new QueuePosition("general", 1, 1, Duration.ofSeconds(90)));
      }
    };
  }

  @Override
  public InteractionControl interactions() {
    return new InteractionControl() {
      @Override
      public Future<Boolean> customerLeft(InteractionId interaction, String reason) {
        left.add(interaction + " " + reason);
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Boolean> updateAttributes(InteractionId interaction, Map<String, String> attributes, String reason) {
        if (failAttributes) {
          return Future.failedFuture(new IllegalStateException("store unavailable"));
        }
        attributeChanges.add(Map.entry(interaction + " " + reason, Map.copyOf(attributes)));
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Void> agentAnswered(InteractionId interaction, AgentId agent) {
        if (refuseAnswers) {
          return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException("offer gone"));
        }
        answered.add(interaction + " " + agent);
        return Future.succeededFuture();
      }

      @Override
      public Future<Boolean> offerLost(InteractionId interaction, String reason) {
        lost.add(interaction + " " + reason);
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Void> callState(io.switchboard.hub.api.spi.CallState state) {
        states.add(state);
        return Future.succeededFuture();
      }
    };
  }

  @Override
  public Future<List<io.switchboard.hub.api.spi.OpenInteraction>> openInteractions() {
    openReads.incrementAndGet();
    return Future.succeededFuture(List.copyOf(open));
  }

  @Override
  public io.switchboard.hub.api.spi.BusinessHours businessHours() {
    return new io.switchboard.hub.api.spi.BusinessHours() {
      @Override
      public java.util.Set<String> calendars() {
        return java.util.Set.copyOf(calendars.keySet());
      }

      @Override
      public java.util.Optional<Boolean> isOpen(String calendar, java.time.Instant at) {
        return java.util.Optional.ofNullable(calendars.get(calendar));
      }
    };
  }

  @Override
  public Future<Boolean> knownCustomer(io.switchboard.hub.api.SenderAddress identity) {
    lookups.add(identity.provider() + ":" + identity.value());
    if (failLookups) {
      return Future.failedFuture(new IllegalStateException("store unavailable"));
    }
    return Future.succeededFuture(identity.kind() == io.switchboard.hub.api.IdentityKind.HANDLE
        && "customer-number".equals(identity.provider()) && customerNumbers.contains(identity.value()));
  }

  /** The reasons of the attribute changes, in order ("interactionId reason"). */
  List<String> attributeUpdatesReasons() {
    return attributeChanges.stream().map(Map.Entry::getKey).toList();
  }

  /** The attribute changes recorded for an interaction. */
  List<Map<String, String>> changesOf(InteractionId id) {
    return attributeChanges.stream().filter(e -> e.getKey().startsWith(id + " ")).map(Map.Entry::getValue).toList();
  }

  /** Interactions the hub surveys (their queue asks for a rating on voice); none by default. */
  final java.util.Set<InteractionId> surveyed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** invite(...) calls ("interactionId via") and answer(...) calls ("interactionId rating"), in order. */
  final List<String> surveyInvites = new java.util.concurrent.CopyOnWriteArrayList<>();
  final List<String> surveyAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The stored rating per interaction (one answer; the same again is a no-op, a different one a conflict). */
  final Map<InteractionId, Integer> ratings = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public io.switchboard.hub.api.spi.Surveys surveys() {
    return new io.switchboard.hub.api.spi.Surveys() {
      @Override
      public Future<java.util.Optional<Invitation>> invite(InteractionId interaction, String via) {
        surveyInvites.add(interaction + " " + via);
        if (!surveyed.contains(interaction) || ratings.containsKey(interaction)) {
          return Future.succeededFuture(java.util.Optional.empty());
        }
        return Future.succeededFuture(java.util.Optional.of(new Invitation(interaction, "How did we do?", null,
            java.time.Instant.now().plusSeconds(600))));
      }

      @Override
      public Future<Void> answer(InteractionId interaction, int rating, String comment) {
        surveyAnswers.add(interaction + " " + rating);
        if (!surveyed.contains(interaction)) {
          return Future.failedFuture(new io.switchboard.hub.api.error.NotFoundException("no survey"));
        }
        if (rating < 1 || rating > 5) {
          return Future.failedFuture(new io.switchboard.hub.api.error.ValidationException("rating", "must be 1 to 5"));
        }
        Integer before = ratings.putIfAbsent(interaction, rating);
        if (before != null && before != rating) {
          return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException("answered before"));
        }
        return Future.succeededFuture();
      }
    };
  }

  @Override
  public Future<String> phoneEndpoint(AgentId agent) {
    return Future.succeededFuture(endpoints.get(agent));
  }
}

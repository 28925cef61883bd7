package io.switchboard.channel.email;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.error.UnavailableException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelCursors;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ChannelLeases;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.InteractionControl;
import io.switchboard.hub.api.spi.Quarantine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The hub as the email adapter sees it, in memory, shared by any number of adapter instances ("nodes"): an intake
 * that dedupes on the Message-ID (and can be made to fail, as a hub whose PostgreSQL is down), cursors and leases
 * shared by every node, the quarantine, and the delivery status updates with the Message-IDs the hub "sent".
 */
final class FakeHub implements AutoCloseable {
  record Update(String providerMessageId, Message.Status status, String reason) {}

  final Vertx vertx = Vertx.vertx();
  final List<InboundContact> stored = new CopyOnWriteArrayList<>();
  final List<String> duplicates = new CopyOnWriteArrayList<>();
  final List<Quarantine.Item> quarantined = new CopyOnWriteArrayList<>();
  final List<Update> updates = new CopyOnWriteArrayList<>();
  final Set<String> sentByHub = ConcurrentHashMap.newKeySet();
  private final Map<String, IntakeResult> byExternalId = new ConcurrentHashMap<>();
  private final ChannelCursors cursorsHere = ChannelCursors.onThisNode(vertx, "email-test");
  final ChannelCursors cursors = new ChannelCursors() {
    @Override
    public Future<Optional<Cursor>> get(String source) {
      return cursorsHere.get(source);
    }

    @Override
    public Future<Cursor> advance(String source, long epoch, long position) {
      onAdvance.run();
      return cursorsHere.advance(source, epoch, position);
    }
  };
  final ChannelLeases leases = ChannelLeases.onThisNode(vertx, "email-test");
  private final Quarantine quarantine = Quarantine.inMemory(quarantined);
  /** While true the intake fails as a hub without its database would. */
  volatile boolean down;
  /** The intake refuses contacts from this address (as the hub refuses a bad sender). */
  volatile String refuse;
  /** Runs each time a reader moves its cursor, before it moves (to make something happen in the middle of a read). */
  volatile Runnable onAdvance = () -> { };

  private final List<EmailAdapter> running = new CopyOnWriteArrayList<>();

  /** Starts an email adapter on a node of its own with these settings and the test mailbox's password. */
  EmailAdapter startAdapter(Map<String, Object> settings) {
    EmailAdapter a = new EmailAdapter();
    a.start(node(settings, MailServer.secrets())).toCompletionStage().toCompletableFuture().join();
    running.add(a);
    return a;
  }

  /** Stops one adapter (a node going away). */
  void stopAdapter(EmailAdapter a) {
    running.remove(a);
    a.stop().toCompletionStage().toCompletableFuture().join();
  }

  /** One node's context with these settings and secrets. */
  ChannelContext node(Map<String, Object> settings, Map<String, String> secrets) {
    FakeHub hub = this;
    return new ChannelContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public InboundSink inbound() {
        return hub::accept;
      }

      @Override
      public Map<String, Object> settings() {
        return settings;
      }

      @Override
      public String secret(String name) {
        return secrets.get(name);
      }

      @Override
      public ChannelHttp http() {
        throw new UnsupportedOperationException("the email adapter serves no HTTP");
      }

      @Override
      public DeliverySink deliveries() {
        return (channel, id, status, reason) -> {
          boolean known = channel == Channel.EMAIL && sentByHub.remove(id);
          if (known) {
            updates.add(new Update(id, status, reason));
          }
          return Future.succeededFuture(known);
        };
      }

      @Override
      public ConversationReader conversations() {
        throw new UnsupportedOperationException();
      }

      @Override
      public InteractionControl interactions() {
        return (i, r) -> Future.succeededFuture(false);
      }

      @Override
      public ChannelLeases leases() {
        return leases;
      }

      @Override
      public ChannelCursors cursors() {
        return cursors;
      }

      @Override
      public Quarantine quarantine() {
        return quarantine;
      }
    };
  }

  private synchronized Future<IntakeResult> accept(InboundContact c) {
    if (down) {
      return Future.failedFuture(new UnavailableException("PostgreSQL: connection refused", null));
    }
    if (c.sender().value().equals(refuse)) {
      return Future.failedFuture(new ValidationException("sender.value", "is not an email address"));
    }
    IntakeResult prior = byExternalId.get(c.externalId());
    if (prior != null) {
      duplicates.add(c.externalId());
      return Future.succeededFuture(new IntakeResult(IntakeResult.Outcome.DUPLICATE, prior.interactionId(),
          prior.conversationId(), prior.customerId(), prior.messageId()));
    }
    IntakeResult r = new IntakeResult(IntakeResult.Outcome.CREATED, InteractionId.random(), ConversationId.random(),
        CustomerId.random(), MessageId.random());
    byExternalId.put(c.externalId(), r);
    stored.add(c);
    return Future.succeededFuture(r);
  }

  /** The stored contact with this subject. */
  InboundContact bySubject(String subject) {
    return stored.stream().filter(c -> subject.equals(c.subject())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing stored with subject " + subject + "; stored " + subjects()));
  }

  List<String> subjects() {
    return stored.stream().map(InboundContact::subject).toList();
  }

  /** Waits (checking every 20 ms) until {@code condition} holds, at most {@code seconds}. */
  static void awaitUntil(BooleanSupplier condition, int seconds, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    for (EmailAdapter a : running) {
      stopAdapter(a);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}

package io.switchboard.hub.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.store.BackendFailures;
import io.vertx.core.Future;
import java.util.Locale;

/**
 * The intake as the HTTP API and the channel adapters see it, counting every contact by channel and outcome:
 * {@code created}, {@code appended}, {@code duplicate}, {@code rejected} (bad input), {@code unavailable}
 * (PostgreSQL did not answer: the caller was told to retry) or {@code error}.
 */
public final class MeteredIntake implements InboundSink {
  private final InboundSink intake;
  private final MeterRegistry registry;

  public MeteredIntake(InboundSink intake, MeterRegistry registry) {
    this.intake = intake;
    this.registry = registry;
  }

  @Override
  public Future<IntakeResult> accept(InboundContact contact) {
    String channel = contact.channel().wireName();
    return intake.accept(contact)
        .onSuccess(r -> count(channel, r.outcome().name().toLowerCase(Locale.ROOT)))
        .onFailure(e -> count(channel, e instanceof ValidationException ? "rejected"
            : BackendFailures.unavailable(e).isPresent() ? "unavailable" : "error"));
  }

  /** Counts the intake's group commit: batches, contacts through them, batches PostgreSQL refused. */
  public static void registerBatching(io.switchboard.hub.core.intake.IntakeService intake, MeterRegistry registry) {
    io.micrometer.core.instrument.FunctionCounter.builder("switchboard.intake.batches", intake,
            i -> i.batchStats().batches())
        .description("Batches of the intake's group commit (a contact alone is a batch of one)").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("switchboard.intake.batched.contacts", intake,
            i -> i.batchStats().contacts())
        .description("Contacts taken in through the intake's batches").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("switchboard.intake.refused.batches", intake,
            i -> i.batchStats().fallbacks())
        .description("Batches PostgreSQL refused, their contacts then taken in one by one").register(registry);
  }

  private void count(String channel, String outcome) {
    Counter.builder("switchboard.intake.contacts").description("Inbound contacts by channel and outcome")
        .tag("channel", channel).tag("outcome", outcome).register(registry).increment();
  }
}

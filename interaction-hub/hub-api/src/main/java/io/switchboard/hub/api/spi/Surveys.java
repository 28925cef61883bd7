package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.InteractionId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * Customer satisfaction surveys as an adapter sees them (docs/reports.md "CSAT"). The hub decides whether an
 * interaction is surveyed (its queue's {@code surveys:} settings in config/analytics.yaml), keeps exactly one survey per
 * interaction, stores the answer on it and reports it ({@code csat.answered}, the reports, the customer 360).
 *
 * <p>An adapter that puts the question itself (the web chat widget after the chat ends; a voice adapter after the
 * call, with one digit) calls {@link #invite} when the contact ends and {@link #answer} with what the customer gave.
 * Email and social surveys are sent by the hub and need nothing from their adapters.
 *
 * <p>Threading: callable from any thread; futures complete on a Vert.x context.
 */
public interface Surveys {

  /**
   * A survey put to the customer.
   *
   * @param question the question (1–5, 5 best)
   * @param commentPrompt the invitation to add an optional comment
   * @param expiresAt after this an answer is refused
   */
  record Invitation(InteractionId interactionId, String question, String commentPrompt, Instant expiresAt) {}

  /**
   * The interaction's survey, created the first time: empty when its queue asks nothing on this channel, when the
   * interaction is unknown, or when its survey was answered or closed already. Calling it again gives the same survey.
   *
   * @param via how the question is put ({@code widget}, {@code voice}); recorded with the survey
   */
  Future<Optional<Invitation>> invite(InteractionId interaction, String via);

  /**
   * Records the customer's answer.
   *
   * @param rating 1 to 5
   * @param comment optional, at most 1,000 characters, no control characters but line breaks and tabs
   * @return completes when stored, also when exactly this answer was stored before (a repeat); failed with
   *     {@link io.switchboard.hub.api.error.ValidationException} for a bad rating or comment or an expired survey,
   *     {@link io.switchboard.hub.api.error.NotFoundException} when the interaction has no survey, and
   *     {@link io.switchboard.hub.api.error.ConflictException} when it was answered differently before or closed
   */
  Future<Void> answer(InteractionId interaction, int rating, String comment);

  /** No surveys (adapter tests, hubs without the feature). */
  Surveys NONE = new Surveys() {
    @Override
    public Future<Optional<Invitation>> invite(InteractionId interaction, String via) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<Void> answer(InteractionId interaction, int rating, String comment) {
      return Future.failedFuture(new io.switchboard.hub.api.error.NotFoundException("no survey for interaction " + interaction));
    }
  };
}

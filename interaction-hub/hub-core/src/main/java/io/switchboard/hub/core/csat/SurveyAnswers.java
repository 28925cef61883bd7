package io.switchboard.hub.core.csat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.SurveyStore;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer to a social survey (docs/reports.md "CSAT"), read in front of the intake: while a survey question is open
 * on a social thread, the customer's next message there is its answer when it is a rating — a button
 * ({@code csat:N}), or a text that is just a number from 1 to 5 ("4", "4/5") or one to five stars — and is stored as the
 * survey's answer instead of starting a new contact; the adapter is told the contact was a {@code DUPLICATE} of the
 * surveyed interaction (nothing new stored), so it acknowledges the provider. Any other message closes the survey
 * unanswered and goes to the intake as usual, as does a message written before the question went out (the survey is
 * then not sent). A re-delivery of the answer within a few minutes is recognised.
 */
public final class SurveyAnswers implements InboundSink {
  private static final Pattern NUMBER = Pattern.compile("\\s*([1-5])\\s*(?:/\\s*5)?\\s*[.!]?\\s*");
  private static final Pattern STARS = Pattern.compile("\\s*(?:\u2B50|\u2605|\\*){1,5}\\s*");
  private static final Duration REDELIVERY = Duration.ofMinutes(10);

  private final InboundSink intake;
  private final Database db;
  private final SurveyStore store;
  private final SurveyService surveys;

  public SurveyAnswers(InboundSink intake, Database db, SurveyStore store, SurveyService surveys) {
    this.intake = intake;
    this.db = db;
    this.store = store;
    this.surveys = surveys;
  }

  @Override
  public Future<IntakeResult> accept(InboundContact contact) {
    if (contact.channel() != Channel.SOCIAL || contact.threadKey() == null) {
      return intake.accept(contact);
    }
    return store.latestOnThread(db.pool(), "social", contact.threadKey()).compose(found -> {
      if (found.isEmpty()) {
        return intake.accept(contact);
      }
      Survey s = found.get();
      Integer rating = rating(contact);
      if (s.status().equals("answered")) {
        // The provider delivering the answer again: the same rating within minutes is not a new contact.
        boolean repeat = rating != null && rating.equals(s.rating()) && s.answeredAt() != null
            && s.answeredAt().isAfter(Instant.now().minus(REDELIVERY));
        return repeat ? Future.succeededFuture(result(s, contact)) : intake.accept(contact);
      }
      if (rating == null || s.status().equals("pending")) {
        // The customer moved on (or wrote before the question went out): no question on this thread any more.
        return store.close(db.pool(), s.interactionId()).compose(x -> intake.accept(contact));
      }
      return surveys.record(s.interactionId(), rating, null).map(answered -> result(answered, contact));
    });
  }

  /** The rating the message gives, or null when it is not one. */
  static Integer rating(InboundContact contact) {
    String data = contact.metadata().get("telegram.callbackData");
    if (data != null && data.matches("csat:[1-5]")) {
      return data.charAt(5) - '0';
    }
    if (!(contact.content() instanceof MessageContent.Text t)) {
      return null;
    }
    Matcher m = NUMBER.matcher(t.body());
    if (m.matches()) {
      return Integer.parseInt(m.group(1));
    }
    String plain = t.body().replace("\uFE0F", "");
    if (STARS.matcher(plain).matches()) {
      String stripped = plain.strip();
      return stripped.codePointCount(0, stripped.length());
    }
    return null;
  }

  private static IntakeResult result(Survey s, InboundContact contact) {
    return new IntakeResult(IntakeResult.Outcome.DUPLICATE, new InteractionId(s.interactionId()),
        new ConversationId(Optional.ofNullable(s.conversationId()).orElse(s.interactionId())), new CustomerId(s.customerId()),
        new MessageId(UUID.nameUUIDFromBytes((contact.channel().wireName() + ":" + contact.externalId()).getBytes(StandardCharsets.UTF_8))));
  }
}

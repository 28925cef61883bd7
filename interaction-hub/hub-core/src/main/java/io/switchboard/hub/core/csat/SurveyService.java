package io.switchboard.hub.core.csat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.TextRules;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import io.switchboard.hub.api.spi.Surveys;
import io.switchboard.hub.core.webhooks.WebhookDispatcher;
import io.switchboard.hub.core.webhooks.WebhookService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.SurveyStore;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.switchboard.hub.store.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Customer satisfaction surveys (docs/reports.md "CSAT"): whether an interaction is surveyed (its queue's settings),
 * exactly one survey per interaction, answers checked and stored on it, and {@code csat.answered} written to the
 * webhook deliveries in the same transaction as the answer (so it is never lost or doubled). The report job takes
 * the answer in by commit order.
 */
public final class SurveyService implements Surveys {
  /** Longest comment kept. */
  public static final int MAX_COMMENT = 1000;
  /** How long a web chat or voice survey can be answered after it is put (the customer is still there). */
  static final Duration LIVE_VALIDITY = Duration.ofHours(1);

  private final Vertx vertx;
  private final Database db;
  private final SurveyStore store;
  private final WebhookStore webhooks;
  private final SurveySettings settings;
  private final SurveyTokens tokens;
  private final Clock clock;

  public SurveyService(Vertx vertx, Database db, SurveyStore store, WebhookStore webhooks, SurveySettings settings,
      SurveyTokens tokens, Clock clock) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.webhooks = webhooks;
    this.settings = settings;
    this.tokens = tokens;
    this.clock = clock;
  }

  public SurveySettings settings() {
    return settings;
  }

  public SurveyTokens tokens() {
    return tokens;
  }

  @Override
  public Future<Optional<Invitation>> invite(InteractionId interaction, String via) {
    UUID id = interaction.value();
    return store.subject(db.pool(), id).compose(s -> {
      if (s.isEmpty()) {
        return Future.succeededFuture(Optional.<Invitation>empty());
      }
      Optional<SurveySettings.QueueSurvey> q = settings.forQueue(s.get().queueId(), s.get().channel());
      if (q.isEmpty()) {
        return Future.succeededFuture(Optional.<Invitation>empty());
      }
      return store.create(db.pool(), id, via, true, LIVE_VALIDITY, null).map(sv -> sv
          .filter(v -> v.status().equals("sent") && v.expiresAt().isAfter(clock.instant()))
          .map(v -> new Invitation(interaction, q.get().question(), q.get().commentPrompt(), v.expiresAt())));
    });
  }

  @Override
  public Future<Void> answer(InteractionId interaction, int rating, String comment) {
    return record(interaction.value(), rating, comment).mapEmpty();
  }

  /** What the rating page shows for a link. */
  public record Page(Survey survey, String question, String commentPrompt) {}

  /**
   * The survey a link names (see {@link SurveyTokens#verify} for a bad link); {@link NotFoundException} when its
   * interaction has no survey.
   */
  public Future<Page> page(String token) {
    SurveyTokens.Verified v;
    try {
      v = tokens.verify(token);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return store.find(db.pool(), v.interaction()).map(o -> {
      Survey s = o.orElseThrow(() -> new NotFoundException("there is no survey for this link"));
      SurveySettings.QueueSurvey q = settings.queues().get(s.queueId());
      return new Page(s, q == null ? SurveySettings.DEFAULT_QUESTION : q.question(),
          q == null ? SurveySettings.DEFAULT_COMMENT_PROMPT : q.commentPrompt());
    });
  }

  /** Records an answer given through a signed link (the rating page, the API). */
  public Future<Survey> answerWithLink(String token, Integer rating, String comment) {
    SurveyTokens.Verified v;
    try {
      v = tokens.verify(token);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (rating == null) {
      return Future.failedFuture(new ValidationException("rating", "is required: a whole number from 1 to 5"));
    }
    return record(v.interaction(), rating, comment);
  }

  /** The link to the rating page of an interaction's survey, valid until {@code expires}. */
  public String link(String baseUrl, UUID interaction, java.time.Instant expires) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/survey/" + tokens.issue(interaction, expires);
  }

  /** The customer's latest answer (for the customer 360). */
  public Future<Optional<Survey>> lastAnswer(UUID customer) {
    return store.lastAnswer(db.pool(), customer);
  }

  /** The interaction's survey, if any. */
  public Future<Optional<Survey>> of(UUID interaction) {
    return store.find(db.pool(), interaction);
  }

  /** Checks the answer, stores it once and writes the {@code csat.answered} deliveries with it. */
  Future<Survey> record(UUID interaction, int rating, String comment) {
    List<FieldError> errors = new ArrayList<>();
    if (rating < 1 || rating > 5) {
      errors.add(new FieldError("rating", "must be a whole number from 1 to 5"));
    }
    String c = comment == null || comment.isBlank() ? null : comment.strip();
    if (c != null) {
      String problem = TextRules.problem(c);
      if (problem != null) {
        errors.add(new FieldError("comment", problem));
      } else if (c.codePointCount(0, c.length()) > MAX_COMMENT) {
        errors.add(new FieldError("comment", "must be at most " + MAX_COMMENT + " characters"));
      } else if (c.chars().anyMatch(ch -> (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7f)) {
        errors.add(new FieldError("comment", "must not contain control characters"));
      }
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new ValidationException(errors));
    }
    return db.inTransaction(tx -> store.answer(tx, interaction, rating, c).compose(done -> {
      if (done.isPresent()) {
        Survey s = done.get();
        JsonObject data = new JsonObject().put("interactionId", s.interactionId().toString())
            .put("customerId", s.customerId().toString()).put("channel", s.channel()).put("queue", s.queueId())
            .put("agentId", s.agentId() == null ? null : s.agentId().toString()).put("rating", s.rating())
            .put("comment", s.comment()).put("via", s.via());
        String eventId = "csat:" + s.interactionId();
        return webhooks.fanOut(tx, "csat.answered", eventId, WebhookService.envelope("csat.answered", eventId, s.answeredAt(), data), null)
            .map(n -> s);
      }
      return store.find(tx, interaction).map(o -> explain(o, rating, c));
    })).onSuccess(s -> WebhookDispatcher.wake(vertx));
  }

  /** Why an answer was not taken; the stored survey when it is a repeat of the stored answer. */
  private Survey explain(Optional<Survey> found, int rating, String comment) {
    Survey s = found.orElseThrow(() -> new NotFoundException("there is no survey for this interaction"));
    switch (s.status()) {
      case "answered" -> {
        if (Objects.equals(s.rating(), rating) && Objects.equals(s.comment(), comment)) {
          return s; // the same answer again (a double click, a retry): nothing changes
        }
        throw new ConflictException("this survey was answered already");
      }
      case "closed" -> throw new ConflictException("this survey was closed unanswered");
      case "pending", "failed" -> throw new ConflictException("this survey was not put to the customer");
      default -> throw new ValidationException("token", "this survey expired on " + s.expiresAt());
    }
  }
}

package io.switchboard.hub.core.csat;

import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.SurveyStore;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts surveys the hub sends itself (docs/reports.md "CSAT"): every {@code poll}, for each channel with an
 * {@link Outlet} (email: a signed link; social: a quick-reply question), the interactions of surveyed queues that
 * ended recently and have no survey get one ({@code pending}; the table's key makes it one per interaction, also with
 * several nodes), then pending surveys are leased and sent. A failed send is tried again after the lease, up to
 * {@value #MAX_ATTEMPTS} attempts, then the survey is {@code failed}.
 */
public final class SurveySender extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SurveySender.class);
  static final int MAX_ATTEMPTS = 5;
  /** Interactions that ended longer ago are never surveyed (switching the feature on does not mail old contacts). */
  static final Duration RECENT = Duration.ofDays(1);
  static final Duration LEASE = Duration.ofMinutes(2);
  private static final int BATCH = 20;

  /** Sends one channel's survey question to the customer. */
  @FunctionalInterface
  public interface Outlet {
    /**
     * Sends it; completes when the provider (SMTP server, messaging API) took it.
     *
     * @param survey the survey (its interaction, customer, thread, expiry)
     * @param wording the queue's question and comment prompt
     */
    Future<Void> send(Survey survey, SurveySettings.QueueSurvey wording);
  }

  private final Database db;
  private final SurveyStore store;
  private final SurveySettings settings;
  private final Map<String, Outlet> outlets;
  private final Duration poll;
  private long timer;
  private Future<Void> running;

  /** @param outlets by channel wire name ({@code email}, {@code social}) */
  public SurveySender(Database db, SurveyStore store, SurveySettings settings, Map<String, Outlet> outlets, Duration poll) {
    this.db = db;
    this.store = store;
    this.settings = settings;
    this.outlets = Map.copyOf(outlets);
    this.poll = poll;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(poll.toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return running == null ? Future.succeededFuture() : running.otherwiseEmpty();
  }

  /** One pass over every channel (also called by tests). */
  public Future<Void> tick() {
    if (running != null && !running.isComplete()) {
      return running;
    }
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, Outlet> e : outlets.entrySet()) {
      List<String> queues = settings.queues().entrySet().stream()
          .filter(q -> q.getValue().enabled() && q.getValue().channels().contains(e.getKey())).map(Map.Entry::getKey).toList();
      if (queues.isEmpty()) {
        continue;
      }
      chain = chain.compose(x -> pass(e.getKey(), queues, e.getValue()))
          .recover(err -> {
            log.atWarn().setCause(err).addKeyValue("channel", e.getKey()).log("survey pass failed; trying again");
            return Future.succeededFuture();
          });
    }
    running = chain;
    return chain;
  }

  private Future<Void> pass(String channel, List<String> queues, Outlet outlet) {
    return store.toCreate(db.pool(), channel, queues, RECENT, 200).compose(ids -> {
      Future<Void> created = Future.succeededFuture();
      for (var id : ids) {
        created = created.compose(x -> store.subject(db.pool(), id)
            .compose(s -> store.create(db.pool(), id, channel, false, settings.linkValid(), s.map(SurveyStore.Subject::threadKey).orElse(null)))
            .mapEmpty());
      }
      return created;
    }).compose(x -> store.claim(db.pool(), channel, BATCH, LEASE)).compose(claimed -> {
      Future<Void> sent = Future.succeededFuture();
      for (Survey s : claimed) {
        SurveySettings.QueueSurvey wording = settings.queues().getOrDefault(s.queueId(),
            new SurveySettings.QueueSurvey(true, SurveySettings.CHANNELS, SurveySettings.DEFAULT_QUESTION,
                SurveySettings.DEFAULT_COMMENT_PROMPT));
        sent = sent.compose(x -> outlet.send(s, wording)
            .compose(y -> store.sent(db.pool(), s.interactionId()))
            .onSuccess(y -> log.atInfo().addKeyValue("interactionId", s.interactionId()).addKeyValue("channel", channel)
                .log("satisfaction survey sent"))
            .recover(err -> {
              log.atWarn().addKeyValue("interactionId", s.interactionId()).addKeyValue("channel", channel)
                  .addKeyValue("attempt", s.attempts()).log("satisfaction survey not sent: " + err.getMessage());
              return store.sendFailed(db.pool(), s.interactionId(), err.getMessage(), MAX_ATTEMPTS);
            }));
      }
      return sent;
    });
  }
}

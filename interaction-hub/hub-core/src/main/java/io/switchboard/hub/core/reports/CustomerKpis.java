package io.switchboard.hub.core.reports;

import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.store.CustomerKpiStore;
import io.switchboard.hub.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The customer 360's figures (docs/reports.md): contacts per channel over the last {@value #DAYS} days, the
 * repeat contacts among them (a contact in the same queue within {@code reports.firstContactResolutionDays} of an
 * earlier one), the preferred channel (the most contacts; on a tie the one used last), the last contact and the
 * customer's last satisfaction answer (any time; {@code lastCsat}, null without one).
 */
public final class CustomerKpis {
  public static final int DAYS = 90;

  private final Database db;
  private final CustomerKpiStore store;
  private final AnalyticsSettings settings;
  private final Clock clock;
  private final io.switchboard.hub.store.SurveyStore surveys;

  public CustomerKpis(Database db, CustomerKpiStore store, io.switchboard.hub.store.SurveyStore surveys,
      AnalyticsSettings settings, Clock clock) {
    this.db = db;
    this.store = store;
    this.surveys = surveys;
    this.settings = settings;
    this.clock = clock;
  }

  /** The figures as the API shows them; 404 for an unknown customer. */
  public Future<JsonObject> of(UUID customer) {
    Instant now = clock.instant();
    Instant since = now.minus(Duration.ofDays(DAYS));
    return store.kpis(db.pool(), customer, since, settings.fcrDays()).compose(o -> o.isEmpty()
        ? Future.succeededFuture(new Found(o, java.util.Optional.<io.switchboard.hub.store.SurveyStore.Survey>empty()))
        : surveys.lastAnswer(db.pool(), customer).map(l -> new Found(o, l))).map(f -> {
      var o = f.kpis();
      CustomerKpiStore.Kpis k = o.orElseThrow(() -> new NotFoundException("no customer " + customer));
      JsonObject byChannel = new JsonObject();
      k.byChannel().forEach(byChannel::put);
      String preferred = null;
      Instant last = null;
      for (Map.Entry<String, Long> e : k.byChannel().entrySet()) {
        Instant at = k.lastAt().get(e.getKey());
        if (preferred == null || e.getValue() > k.byChannel().get(preferred)
            || (e.getValue().equals(k.byChannel().get(preferred)) && at.isAfter(k.lastAt().get(preferred)))) {
          preferred = e.getKey();
        }
        if (last == null || at.isAfter(last)) {
          last = at;
        }
      }
      long total = k.byChannel().values().stream().mapToLong(Long::longValue).sum();
      return new JsonObject().put("customerId", customer.toString()).put("days", DAYS).put("since", since.toString())
          .put("contacts", total).put("contactsByChannel", byChannel).put("repeatContacts", k.repeats())
          .put("repeatWindowDays", settings.fcrDays()).put("preferredChannel", preferred)
          .put("lastContactAt", last == null ? null : last.toString())
          .put("lastCsat", f.lastCsat().map(c -> new JsonObject().put("rating", c.rating()).put("comment", c.comment())
              .put("answeredAt", c.answeredAt().toString()).put("interactionId", c.interactionId().toString())
              .put("channel", c.channel())).orElse(null));
    });
  }

  private record Found(java.util.Optional<CustomerKpiStore.Kpis> kpis,
      java.util.Optional<io.switchboard.hub.store.SurveyStore.Survey> lastCsat) {}
}

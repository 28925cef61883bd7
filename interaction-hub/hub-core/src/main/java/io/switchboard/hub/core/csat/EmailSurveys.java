package io.switchboard.hub.core.csat;

import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.SurveyStore;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Email surveys (docs/reports.md "CSAT"): a short mail from the hub's mail sender to the customer's address with a
 * signed link to the hub's rating page ({@code /survey/<token>}), valid until the survey expires. No login is needed:
 * the link's signature is the customer's credential for that one survey.
 */
public final class EmailSurveys implements SurveySender.Outlet {
  private final Database db;
  private final SurveyStore store;
  private final SurveyService surveys;
  private final Supplier<MailSender> mail;
  private final Supplier<String> baseUrl;

  /** @param baseUrl the hub's public URL (the link's start) */
  public EmailSurveys(Database db, SurveyStore store, SurveyService surveys, Supplier<MailSender> mail, Supplier<String> baseUrl) {
    this.db = db;
    this.store = store;
    this.surveys = surveys;
    this.mail = mail;
    this.baseUrl = baseUrl;
  }

  @Override
  public Future<Void> send(Survey survey, SurveySettings.QueueSurvey wording) {
    return store.emailOf(db.pool(), survey.customerId()).compose(to -> {
      if (to.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("the customer has no email address"));
      }
      String link = surveys.link(baseUrl.get(), survey.interactionId(), survey.expiresAt());
      String text = wording.question() + "\n\n"
          + "Please rate your recent contact with us from 1 (poor) to 5 (excellent). It takes one click:\n\n"
          + link + "\n\n"
          + "The link works until " + survey.expiresAt() + " and needs no login. Thank you!\n";
      return mail.get().send(new MailSender.SystemEmail(null, EmailAddress.of(to.get()), wording.question(), text)).mapEmpty();
    });
  }
}

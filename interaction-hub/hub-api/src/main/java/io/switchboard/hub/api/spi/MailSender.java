package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.EmailAddress;
import io.vertx.core.Future;
import java.util.Objects;

/**
 * Email the hub sends on its own behalf (a chat transcript, a notification), not as a reply in an
 * interaction: one mail sender for every adapter. The email adapter provides it ({@link ChannelAdapter#mailSender()});
 * other adapters reach it through {@link ChannelContext#mail()}, never by importing the email adapter.
 *
 * <p>Such mail is marked {@code Auto-Submitted: auto-generated}, so that auto-responders do not answer it.
 */
public interface MailSender {

  /**
   * One email.
   *
   * @param mailbox the name of the configured mailbox to send from; null for the default one
   * @param to the recipient
   * @param subject the subject, without line breaks
   * @param text the plain-text body
   */
  record SystemEmail(String mailbox, EmailAddress to, String subject, String text) {
    public SystemEmail {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(text, "text");
      if (EmailAddress.hasLineBreak(subject) || EmailAddress.hasLineBreak(mailbox)) {
        throw new IllegalArgumentException("a subject or mailbox name must not contain a line break");
      }
    }
  }

  /** Whether mail can be sent from {@code mailbox} (null: the default one); unavailable with the reason otherwise. */
  SendReadiness readiness(String mailbox);

  /**
   * Sends it (blocking work runs off the event loop).
   *
   * @return the Message-ID it was sent with; failed with the server's or the configuration's reason
   */
  Future<String> send(SystemEmail email);

  /** No mail sender on this hub. */
  MailSender NONE = new MailSender() {
    @Override
    public SendReadiness readiness(String mailbox) {
      return SendReadiness.unavailable("no email adapter with a mailbox that sends runs on this hub");
    }

    @Override
    public Future<String> send(SystemEmail email) {
      return Future.failedFuture(new IllegalStateException(readiness(email.mailbox()).reason()));
    }
  };
}

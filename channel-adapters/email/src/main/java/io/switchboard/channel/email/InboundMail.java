package io.switchboard.channel.email;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Handling;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InboundEmail;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides what a parsed email is for the hub: a delivery report about one of our replies, an echo of a reply we
 * sent ourselves (never taken in again), or a contact: routed, or stored only when it is automated, over the
 * sender's rate limit, or from one of the centre's own mailboxes.
 */
final class InboundMail {
  /** Our own Message-IDs: {@code <sb-<hub message id>@<mailbox domain>>}. */
  static final Pattern OUR_MESSAGE_ID = Pattern.compile("<sb-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@[^<>\\s]+>");

  /** What an email is. */
  sealed interface Outcome {}

  /** A contact for the intake. */
  record Contact(InboundContact contact) implements Outcome {}

  /** A delivery report (bounce): its failure goes onto our reply, nothing is taken in. */
  record Report(DeliveryReports.Report report) implements Outcome {}

  /** A message we sent ourselves (we were among its recipients): skipped. */
  record Echo(String messageId) implements Outcome {}

  private final Automation automation;
  private final boolean routeAutomated;
  private final SenderRateLimit rateLimit;
  private final Set<String> ownAddresses;

  InboundMail(EmailSettings settings) {
    this.automation = new Automation(settings.automation());
    this.routeAutomated = settings.automation().route();
    this.rateLimit = new SenderRateLimit(settings.rateLimit());
    this.ownAddresses = Set.copyOf(settings.mailboxes().stream().map(EmailSettings.Mailbox::address).toList());
  }

  Outcome classify(ParsedEmail e, EmailSettings.Mailbox mailbox, Instant receivedAt) {
    if (OUR_MESSAGE_ID.matcher(e.messageId()).matches()) {
      return new Echo(e.messageId());
    }
    DeliveryReports.Report report = DeliveryReports.read(e);
    if (report != null) {
      return new Report(report);
    }
    String automated = automation.reason(e);
    String sender = e.from().address().toLowerCase(Locale.ROOT);
    boolean withinRate = rateLimit.allow(sender, receivedAt.toEpochMilli());
    Handling handling = Handling.ROUTE;
    if (ownAddresses.contains(sender)) {
      handling = Handling.storeOnly("sent from this contact centre's own mailbox " + sender);
    } else if (!withinRate) {
      handling = Handling.storeOnly(rateLimit.reason(sender));
    } else if (automated != null && !routeAutomated) {
      handling = Handling.storeOnly(automated);
    }
    Map<String, String> metadata = new LinkedHashMap<>(mailbox.attributes());
    metadata.put("mailbox", mailbox.name());
    if (automated != null) {
      metadata.put("automated", automated.length() > 2000 ? automated.substring(0, 2000) : automated);
    }
    String language = e.header("Content-Language");
    if (language != null && language.matches("[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?")) {
      metadata.putIfAbsent("language", language.substring(0, Math.min(2, language.length())).toLowerCase(Locale.ROOT));
    }
    List<String> refs = e.references();
    var cc = e.cc().subList(0, Math.max(0, Math.min(e.cc().size(), InboundContact.MAX_RECIPIENTS - e.to().size())));
    InboundContact contact = new InboundContact(Channel.EMAIL, e.messageId(), SenderAddress.email(e.from().address()),
        e.from().name(), null, refs, e.subject(), new MessageContent.Text(e.text()), metadata, receivedAt,
        e.to(), cc, e.files(), new InboundEmail(e.quoted(), e.omitted()), handling);
    return new Contact(contact);
  }
}

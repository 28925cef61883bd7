package io.switchboard.channel.voice;

import io.switchboard.hub.api.SenderAddress;
import java.time.Instant;
import java.util.Optional;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of an entry point before its first menu: opening hours (the routing.yaml calendar named by
 * {@code hours}, with the after-hours branch) and the optional "enter your customer number". Runs on the caller's
 * FastAGI session.
 */
final class EntrySteps {
  private static final Logger log = LoggerFactory.getLogger(EntrySteps.class);
  /** The identity provider a customer number is kept under ({@code handle customer-number:<digits>}). */
  static final String CUSTOMER_NUMBER = "customer-number";

  private final AsteriskAdapter adapter;

  EntrySteps(AsteriskAdapter adapter) {
    this.adapter = adapter;
  }

  /**
   * Whether the entry point is open now. A calendar routing.yaml no longer defines counts as open (logged): callers
   * are better served than turned away by a configuration slip.
   */
  boolean open(Ivr.EntryPoint entry, Call call) {
    if (entry.hours() == null) {
      return true;
    }
    Optional<Boolean> open;
    try {
      open = adapter.context().businessHours().isOpen(entry.hours(), Instant.now());
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("entryPoint", entry.name()).addKeyValue("calendar", entry.hours()).addKeyValue("error", e.toString())
          .log("could not read the business calendar; treating the entry point as open");
      return true;
    }
    if (open.isEmpty()) {
      log.atWarn().addKeyValue("entryPoint", entry.name()).addKeyValue("calendar", entry.hours()).addKeyValue("channel", call.channel)
          .log("routing.yaml has no such calendar (any more); treating the entry point as open");
      return true;
    }
    return open.get();
  }

  /** What the after-hours branch decided. */
  enum AfterHoursOutcome { HUNG_UP, CALLBACK_REQUESTED }

  /**
   * Outside opening hours: the message and hang-up, or the callback offer (the key takes the call in as a callback
   * request, then hang-up), or hang-up. Returns CALLBACK_REQUESTED when the caller pressed the key and the call should
   * be taken in as a callback; the caller hears the confirmation from the caller's flow.
   */
  AfterHoursOutcome afterHours(Ivr.EntryPoint entry, Call call, AgiChannel channel) throws AgiException {
    Ivr.AfterHours ah = entry.afterHours();
    log.atInfo().addKeyValue("entryPoint", entry.name()).addKeyValue("calendar", entry.hours()).addKeyValue("channel", call.channel)
        .addKeyValue("action", ah.action()).log("call outside opening hours");
    switch (ah.action()) {
      case HANGUP, MESSAGE -> {
        CallFlows.play(channel, ah.prompts(), "");
        channel.hangup();
        return AfterHoursOutcome.HUNG_UP;
      }
      case CALLBACK -> {
        if (call.callbackNumber == null) {
          log.atInfo().addKeyValue("channel", call.channel).addKeyValue("callerId", call.callerNumber)
              .log("after hours: no callback offered, the caller ID is no number to call back; hanging up");
          channel.streamFile("unidentified-no-callback");
          channel.hangup();
          return AfterHoursOutcome.HUNG_UP;
        }
        char key = CallFlows.play(channel, ah.prompts(), String.valueOf(ah.key()));
        if (key == 0) {
          key = channel.waitForDigit((int) ah.timeout().toMillis());
        }
        if (key != ah.key()) {
          log.atInfo().addKeyValue("channel", call.channel).log("after hours: the caller did not ask for a callback; hanging up");
          channel.hangup();
          return AfterHoursOutcome.HUNG_UP;
        }
        return AfterHoursOutcome.CALLBACK_REQUESTED;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * "Enter your customer number": digits until {@code #}, the timeout, or {@code maxDigits}; a number the hub knows
   * (a customer with the identity {@code customer-number:<digits>}) identifies the caller. Too short, too long or
   * unknown is a failed try (the invalid prompts, then again); after the retries the call goes on unidentified.
   *
   * @return the customer number, or null when the caller was not identified
   */
  String customerNumber(Ivr.CustomerNumber step, Call call, AgiChannel channel) throws AgiException {
    for (int attempt = 0; attempt <= step.retries(); attempt++) {
      String digits = collect(step, channel);
      String problem;
      if (digits.isEmpty()) {
        problem = "no digits entered";
      } else if (digits.length() < step.minDigits() || digits.length() > step.maxDigits()) {
        problem = "entered " + digits.length() + " digits, expected " + step.minDigits() + " to " + step.maxDigits();
      } else {
        Boolean known;
        try {
          known = CallFlows.await(adapter.context().knownCustomer(SenderAddress.handle(CUSTOMER_NUMBER, digits)));
        } catch (Exception e) {
          log.atError().addKeyValue("channel", call.channel).addKeyValue("error", e.toString())
              .log("the hub could not look up the customer number; the call goes on unidentified");
          call.attributes.put("voice.customerNumberResult", "lookup-failed");
          return null;
        }
        if (Boolean.TRUE.equals(known)) {
          log.atInfo().addKeyValue("channel", call.channel).addKeyValue("attempt", attempt + 1).log("caller identified by customer number");
          call.attributes.put("voice.customerNumber", digits);
          call.attributes.put("voice.customerNumberResult", "identified");
          return digits;
        }
        problem = "no customer has this number";
      }
      log.atInfo().addKeyValue("channel", call.channel).addKeyValue("attempt", attempt + 1).addKeyValue("problem", problem)
          .log("customer number not accepted");
      if (attempt < step.retries()) {
        CallFlows.play(channel, step.invalid(), "");
      }
    }
    log.atInfo().addKeyValue("channel", call.channel).log("customer number retries used up; the call goes on unidentified");
    call.attributes.put("voice.customerNumberResult", "unidentified");
    return null;
  }

  /** The digits typed: the prompts (any digit interrupts them), then one key at a time until #, timeout or the maximum. */
  private static String collect(Ivr.CustomerNumber step, AgiChannel channel) throws AgiException {
    StringBuilder digits = new StringBuilder();
    char c = CallFlows.play(channel, step.prompts(), "0123456789#*");
    while (digits.length() < step.maxDigits()) {
      if (c == 0) {
        c = channel.waitForDigit((int) step.timeout().toMillis());
      }
      if (c == 0 || c == '#') {
        break;
      }
      if (c == '*') {
        digits.setLength(0); // start again
      } else if (c >= '0' && c <= '9') {
        digits.append(c);
      }
      c = 0;
    }
    return digits.toString();
  }
}

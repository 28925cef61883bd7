package io.switchboard.hub.app;

/**
 * The routing.yaml most hub tests route with, in one place: the demo's skills, the queues {@code general} and
 * {@code billing}, and the settings a test varies (offer timeout, pausing on a lapsed offer, wrap-up). Each test gives
 * its own {@code rules:} list, written from column 0 ({@code - name: default}), and may leave out the billing queue.
 */
public final class TestRules {
  private TestRules() {}

  /**
   * A routing.yaml with both queues and wrap-up required.
   *
   * @param offerTimeout how long an offer stands, e.g. {@code 60s}
   * @param pauseOnOfferTimeout whether an agent who lets an offer lapse is paused
   * @param rules the rules list, one {@code - name:} item per rule, from column 0
   */
  public static String routing(String offerTimeout, boolean pauseOnOfferTimeout, String rules) {
    return head(offerTimeout, pauseOnOfferTimeout, true) + GENERAL + BILLING + "rules:\n" + rules.indent(2);
  }

  /** A routing.yaml with the general queue only. */
  public static String generalOnly(String offerTimeout, boolean pauseOnOfferTimeout, boolean wrapUpRequired, String rules) {
    return head(offerTimeout, pauseOnOfferTimeout, wrapUpRequired) + GENERAL + "rules:\n" + rules.indent(2);
  }

  private static String head(String offerTimeout, boolean pauseOnOfferTimeout, boolean wrapUpRequired) {
    return """
        settings:
          offerTimeout: %s
          pauseAgentOnOfferTimeout: %s
          stickyAgentWindow: 24h
          afterCallWork: 1s
          wrapUpRequired: %s
        skills: [billing, tech-support, general, vip, english, german, turkish, french]
        queues:
        """.formatted(offerTimeout, pauseOnOfferTimeout, wrapUpRequired);
  }

  private static final String GENERAL = """
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
      """;

  private static final String BILLING = """
        - id: billing
          name: Billing
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 15m
      """;
}

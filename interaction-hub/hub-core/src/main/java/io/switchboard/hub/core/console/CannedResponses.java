package io.switchboard.hub.core.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholder language of canned responses, defined in one place: which placeholders exist, how a text is
 * checked (at load time) and how it is filled in. The agent console fills placeholders itself; this class is the
 * reference its behaviour must match (see docs/console.md).
 *
 * <p>A placeholder is {@code {{name}}}, spaces inside the braces allowed ({@code {{ queue }}}). Names are
 * case-sensitive and must be one of {@link #PLACEHOLDERS}. A value that is not known when rendering (a customer
 * without a name, an interaction without subject) renders as the empty string. Text outside placeholders is kept as
 * written; a lone {@code {{} without a closing {@code }}} is an error. Pure and thread-safe.
 */
public final class CannedResponses {
  /** customer's first name: the first word of their display name. */
  public static final String CUSTOMER_FIRST_NAME = "customer.firstName";
  /** customer's display name. */
  public static final String CUSTOMER_NAME = "customer.name";
  /** the agent's display name. */
  public static final String AGENT_NAME = "agent.name";
  /** the queue the interaction is in (its id). */
  public static final String QUEUE = "queue";
  /** the interaction's subject (email subject, chat topic). */
  public static final String INTERACTION_SUBJECT = "interaction.subject";

  /** Every placeholder a canned response may use. */
  public static final Set<String> PLACEHOLDERS =
      Set.of(CUSTOMER_FIRST_NAME, CUSTOMER_NAME, AGENT_NAME, QUEUE, INTERACTION_SUBJECT);

  /** In the order documented, for listings. */
  public static final List<String> PLACEHOLDER_ORDER =
      List.of(CUSTOMER_FIRST_NAME, CUSTOMER_NAME, AGENT_NAME, QUEUE, INTERACTION_SUBJECT);

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  private CannedResponses() {}

  /**
   * What is wrong with {@code text} as a canned response: unknown placeholders and unclosed braces, one message
   * each, in text order. Empty when it is fine.
   */
  public static List<String> problems(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    int last = 0;
    while (m.find()) {
      unclosed(text.substring(last, m.start()), out);
      String name = m.group(1);
      if (!PLACEHOLDERS.contains(name)) {
        out.add("unknown placeholder {{" + name + "}} (known: " + String.join(", ", PLACEHOLDER_ORDER) + ")");
      }
      last = m.end();
    }
    unclosed(text.substring(last), out);
    return out;
  }

  private static void unclosed(String between, List<String> out) {
    if (between.contains("{{")) {
      out.add("'{{' without a closing '}}'");
    }
  }

  /** The placeholders {@code text} uses, in order of first use. */
  public static List<String> placeholdersIn(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      if (!out.contains(m.group(1))) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /**
   * Fills in {@code text}: each known placeholder becomes its value from {@code values} (missing or null: empty);
   * an unknown placeholder is left as written (texts are checked at load time, so it does not happen there).
   */
  public static String render(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 32);
    while (m.find()) {
      String name = m.group(1);
      String value = PLACEHOLDERS.contains(name) ? values.getOrDefault(name, "") : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The values for one interaction: {@code customer.firstName} is the first word of the customer's name.
   *
   * @param customerName the customer's display name, or null
   */
  public static Map<String, String> values(String customerName, String agentName, String queue, String subject) {
    java.util.HashMap<String, String> v = new java.util.HashMap<>();
    v.put(CUSTOMER_NAME, customerName);
    v.put(CUSTOMER_FIRST_NAME, firstName(customerName));
    v.put(AGENT_NAME, agentName);
    v.put(QUEUE, queue);
    v.put(INTERACTION_SUBJECT, subject);
    return v;
  }

  /** The first whitespace-separated word of {@code name}, or null. */
  public static String firstName(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    return name.strip().split("\\s+", 2)[0];
  }

  /** Whether {@code shortcut} is a valid shortcut: "/" then 1..32 of a-z, 0-9, '-', '_'. */
  public static boolean validShortcut(String shortcut) {
    return shortcut != null && shortcut.matches("/[a-z0-9][a-z0-9_-]{0,31}")
        && shortcut.equals(shortcut.toLowerCase(Locale.ROOT));
  }
}

package io.switchboard.routing;

import com.google.re2j.Pattern;
import java.math.MathContext;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.jexl3.JexlArithmetic;

/**
 * JEXL's arithmetic with the regular-expression match of {@code =~} and {@code !~} done by RE2/J, which runs in time
 * linear in the text (no backtracking, so no pattern can take hours on a customer's subject), and which checks the
 * running condition's {@link ConditionBudget} as it reads. The semantics stay JEXL's: a text on the right is a pattern
 * the whole left side must match; anything else (a list, a map) is membership, unchanged.
 *
 * <p>RE2/J has no back-references or look-around; a condition using them fails when it runs (reported, no match).
 */
final class LinearArithmetic extends JexlArithmetic {
  /** Compiled patterns by source; rules name few patterns, so the cap only guards against patterns built from data. */
  private static final int CACHE_LIMIT = 512;
  private static final ConcurrentHashMap<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  static {
    // Load and link RE2/J while rules are parsed, so the first condition that matches text does not pay for it
    // out of its time budget.
    Pattern.compile("(?i)w(ar)+m.*up|[0-9]+").matcher("warm-up").matches();
  }

  LinearArithmetic() {
    super(true);
  }

  private LinearArithmetic(boolean strict, MathContext context, int scale) {
    super(strict, context, scale);
  }

  @Override
  protected JexlArithmetic createWithOptions(boolean strict, MathContext context, int scale) {
    return new LinearArithmetic(strict, context, scale);
  }

  @Override
  public Boolean contains(Object container, Object value) {
    String regex;
    int flags = 0;
    if (container instanceof java.util.regex.Pattern p) { // a ~/.../ literal
      regex = p.pattern();
      flags = (p.flags() & java.util.regex.Pattern.CASE_INSENSITIVE) != 0 ? Pattern.CASE_INSENSITIVE : 0;
    } else if (container instanceof CharSequence s) {
      regex = s.toString();
    } else {
      return super.contains(container, value);
    }
    if (value == null) {
      return false;
    }
    return pattern(regex, flags).matcher(new BudgetedText(value.toString())).matches();
  }

  private static Pattern pattern(String regex, int flags) {
    String key = flags + ":" + regex;
    Pattern p = PATTERNS.get(key);
    if (p == null) {
      p = Pattern.compile(regex, flags);
      if (PATTERNS.size() < CACHE_LIMIT) {
        PATTERNS.putIfAbsent(key, p);
      }
    }
    return p;
  }

  /** The text a pattern reads, checking the condition's budget every few thousand characters read. */
  private static final class BudgetedText implements CharSequence {
    private final String text;
    private int reads;

    BudgetedText(String text) {
      this.text = text;
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 0xFFF) == 0) {
        ConditionBudget.checkCurrent();
      }
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}

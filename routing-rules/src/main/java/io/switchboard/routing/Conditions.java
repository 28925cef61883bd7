package io.switchboard.routing;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * The condition language of routing rules: Apache Commons JEXL reduced to a side-effect-free expression language.
 *
 * <p>The sandbox has three layers. The parser's {@link JexlFeatures} reject assignments, loops, {@code new}, lambdas,
 * local variables, scripts, pragmas, annotations and method calls. {@link #PERMISSIONS} start from JEXL's {@code
 * RESTRICTED} set and then allow no constructor, no field and no method except {@code get} on maps and lists, so
 * property syntax ({@code ''.class}, {@code channel.bytes}) cannot reach a getter either. At parse time every variable
 * path is checked against the six variables rules may read. What is left: literals, the operators, and reading maps.
 *
 * <p>Time: regular expressions run in linear time ({@link LinearArithmetic}, RE2/J), and each condition has a
 * {@link ConditionBudget}; past it the condition stops, is reported, and counts as no match.
 */
final class Conditions {
  static final int MAX_LENGTH = 2000;
  static final Set<String> VARIABLES = Set.of("channel", "attributes", "subject", "language", "customer", "open");
  private static final Set<String> CUSTOMER_FIELDS = Set.of("tier", "language", "attributes");
  private static final Pattern POSITION = Pattern.compile("^[^@\\s]*@(\\d+):(\\d+)\\s*");

  /** RESTRICTED, then narrowed to reading maps and lists. */
  static final JexlPermissions PERMISSIONS = new ReadOnlyPermissions(JexlPermissions.RESTRICTED);

  private static final JexlFeatures FEATURES =
      new JexlFeatures()
          .sideEffect(false)
          .sideEffectGlobal(false)
          .loops(false)
          .newInstance(false)
          .lambda(false)
          .thinArrow(false)
          .fatArrow(false)
          .localVar(false)
          .script(false)
          .pragma(false)
          .pragmaAnywhere(false)
          .namespacePragma(false)
          .namespaceIdentifier(false)
          .importPragma(false)
          .annotation(false)
          .methodCall(false)
          .register(false)
          .structuredLiteral(true);

  static final JexlEngine ENGINE =
      new JexlBuilder()
          .permissions(PERMISSIONS)
          .features(FEATURES)
          .strict(true)
          .safe(false)
          .silent(false)
          .antish(false)
          .cancellable(false)
          .booleanLogical(true)
          .arithmetic(new LinearArithmetic())
          .stackOverflow(256)
          .cache(0)
          .create();

  private Conditions() {}

  /** A compiled condition. Thread-safe: evaluation keeps its state in the context it is given. */
  record Condition(String source, JexlExpression expression) {
    /**
     * True only when the expression evaluates to {@code true} within {@code budget}; any error propagates as a
     * JexlException, and running past the budget as {@link ConditionBudget.Exceeded} (possibly wrapped).
     */
    boolean test(JexlContext context, ConditionBudget budget) {
      ConditionBudget.Deadline deadline = budget.start();
      try {
        boolean result = Boolean.TRUE.equals(expression.evaluate(context));
        deadline.check();
        return result;
      } finally {
        ConditionBudget.finish();
      }
    }
  }

  /** What compiling gave: the condition, or the problems to report (at the {@code when} line). */
  record Compiled(Condition condition, List<String> problems) {}

  static Compiled compile(String source, Set<String> calendars) {
    List<String> problems = new ArrayList<>();
    if (source.length() > MAX_LENGTH) {
      problems.add("condition is " + source.length() + " characters long; at most " + MAX_LENGTH);
      return new Compiled(null, problems);
    }
    if (source.isBlank()) {
      problems.add("condition is empty; leave 'when' out to match everything");
      return new Compiled(null, problems);
    }
    JexlExpression expression;
    try {
      expression = ENGINE.createExpression(new JexlInfo("when", 1, 1), rewriteIn(source));
    } catch (JexlException e) {
      problems.add("condition does not compile: " + describe(e));
      return new Compiled(null, problems);
    }
    if (expression instanceof JexlScript script) {
      for (List<String> path : script.getVariables()) {
        checkPath(path, calendars, problems);
      }
    }
    return new Compiled(problems.isEmpty() ? new Condition(source, expression) : null, problems);
  }

  private static void checkPath(List<String> path, Set<String> calendars, List<String> problems) {
    String root = path.get(0);
    String dotted = String.join(".", path);
    if (!VARIABLES.contains(root)) {
      problems.add("unknown variable '" + root + "' (conditions can read " + String.join(", ", sorted(VARIABLES)) + ")");
      return;
    }
    switch (root) {
      case "channel", "subject", "language" -> {
        if (path.size() > 1) {
          problems.add("'" + root + "' is text; '" + dotted + "' reads nothing");
        }
      }
      case "attributes" -> {
        if (path.size() > 2) {
          problems.add("attribute values are text; '" + dotted + "' reads nothing");
        }
      }
      case "customer" -> {
        if (path.size() > 1 && !CUSTOMER_FIELDS.contains(path.get(1))) {
          problems.add("customer has no '" + path.get(1) + "' (it has tier, language and attributes)");
        } else if (path.size() > 3 || (path.size() > 2 && !path.get(1).equals("attributes"))) {
          problems.add("'" + dotted + "' reads nothing");
        }
      }
      case "open" -> {
        if (path.size() > 1 && !calendars.contains(path.get(1))) {
          problems.add(
              "unknown calendar '"
                  + path.get(1)
                  + "' in open."
                  + path.get(1)
                  + (calendars.isEmpty() ? " (no calendars are defined)" : " (defined: " + String.join(", ", sorted(calendars)) + ")"));
        } else if (path.size() > 2) {
          problems.add("open." + path.get(1) + " is true or false; '" + dotted + "' reads nothing");
        }
      }
      default -> throw new IllegalStateException(root);
    }
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  /** The parser's message without JEXL's "name@line:column" prefix, with the column appended. */
  static String describe(JexlException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    java.util.regex.Matcher m = POSITION.matcher(message);
    if (m.find()) {
      return message.substring(m.end()) + " (column " + m.group(2) + ")";
    }
    return message;
  }

  /**
   * Lets rules write {@code channel in ['voice', 'chat']}: JEXL spells membership {@code =~}. The word {@code in}
   * outside string literals and not after a dot becomes {@code =~} (same length, so columns in messages still fit).
   */
  static String rewriteIn(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c) {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        j = Math.min(j + 1, n);
        out.append(source, i, j);
        i = j;
      } else if (Character.isJavaIdentifierStart(c)) {
        int j = i + 1;
        while (j < n && Character.isJavaIdentifierPart(source.charAt(j))) {
          j++;
        }
        String word = source.substring(i, j);
        boolean afterDot = lastNonSpace(out) == '.';
        out.append(word.equals("in") && !afterDot ? "=~" : word);
        i = j;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static char lastNonSpace(StringBuilder b) {
    for (int k = b.length() - 1; k >= 0; k--) {
      if (!Character.isWhitespace(b.charAt(k))) {
        return b.charAt(k);
      }
    }
    return 0;
  }

  /** No constructors, fields or methods, except reading maps and lists by key or index. */
  private record ReadOnlyPermissions(JexlPermissions base) implements JexlPermissions {
    @Override
    public boolean allow(Package pack) {
      return base.allow(pack);
    }

    @Override
    public boolean allow(Class<?> clazz) {
      return base.allow(clazz);
    }

    @Override
    public boolean allow(Constructor<?> ctor) {
      return false;
    }

    @Override
    public boolean allow(Field field) {
      return false;
    }

    @Override
    public boolean allow(Method method) {
      if (method == null || !method.getName().equals("get") || method.getParameterCount() != 1) {
        return false;
      }
      Class<?> owner = method.getDeclaringClass();
      return (Map.class.isAssignableFrom(owner) || List.class.isAssignableFrom(owner)) && base.allow(method);
    }

    @Override
    public JexlPermissions compose(String... src) {
      return new ReadOnlyPermissions(base.compose(src));
    }
  }
}

package io.switchboard.hub.core.csat;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The {@code surveys:} section of config/analytics.yaml (docs/reports.md "CSAT"): which queues ask customers for a
 * rating after a contact, on which channels, and in what words. A queue that is not listed asks nothing. Problems are
 * reported all at once as {@code file:line: key: message}.
 *
 * @param linkValid how long an email link or a social question can be answered (1–90 days, default 7)
 * @param queues per queue id
 */
public record SurveySettings(Duration linkValid, Map<String, QueueSurvey> queues) {
  /** The wording when a queue gives none. */
  public static final String DEFAULT_QUESTION = "How satisfied are you with the help you got?";
  public static final String DEFAULT_COMMENT_PROMPT = "Anything you would like to tell us? (optional)";
  /** The channels a survey can be put on. */
  public static final Set<String> CHANNELS = Set.of("chat", "email", "social", "voice");
  /** No surveys anywhere. */
  public static final SurveySettings NONE = new SurveySettings(Duration.ofDays(7), Map.of());

  public SurveySettings {
    queues = Map.copyOf(queues);
  }

  /**
   * One queue's survey.
   *
   * @param enabled whether the queue asks at all
   * @param channels the channels it asks on (all four when not given)
   * @param question the question (also the email's subject line and the social question's text)
   * @param commentPrompt the invitation to add a comment (web chat, rating page)
   */
  public record QueueSurvey(boolean enabled, Set<String> channels, String question, String commentPrompt) {
    public QueueSurvey {
      channels = Set.copyOf(channels);
    }
  }

  /** The survey of {@code queue} when it asks on {@code channel}. */
  public Optional<QueueSurvey> forQueue(String queue, String channel) {
    if (queue == null) {
      return Optional.empty();
    }
    QueueSurvey q = queues.get(queue);
    return q != null && q.enabled() && q.channels().contains(channel) ? Optional.of(q) : Optional.empty();
  }

  /** A problem in the file. */
  public record Problem(String file, int line, String key, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + key + ": " + message;
    }
  }

  /** The file's problems, each {@code file:line: key: message}, one per line of the message. */
  public static final class InvalidSurveySettings extends IllegalArgumentException {
    private final List<Problem> problems;

    InvalidSurveySettings(List<Problem> problems) {
      super(String.join("\n", problems.stream().map(Problem::toString).toList()));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }

  /**
   * Reads the {@code surveys:} section of {@code text} (the whole analytics.yaml); {@link #NONE} when it has none.
   *
   * @throws InvalidSurveySettings with every problem found
   */
  public static SurveySettings parse(String file, String text) {
    List<Problem> problems = new ArrayList<>();
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (YAMLException e) {
      int line = e instanceof MarkedYAMLException m && m.getProblemMark() != null ? m.getProblemMark().getLine() + 1 : 0;
      throw new InvalidSurveySettings(List.of(new Problem(file, line, "(yaml)", "is not valid YAML: "
          + (e instanceof MarkedYAMLException m ? m.getProblem() : e.getMessage()))));
    }
    if (!(root instanceof MappingNode top)) {
      return NONE;
    }
    Node section = value(top, "surveys");
    if (section == null || isNull(section)) {
      return NONE;
    }
    if (!(section instanceof MappingNode s)) {
      throw new InvalidSurveySettings(List.of(new Problem(file, line(section), "surveys", "must be a mapping")));
    }
    Duration valid = Duration.ofDays(7);
    String defQuestion = DEFAULT_QUESTION;
    String defComment = DEFAULT_COMMENT_PROMPT;
    Map<String, QueueSurvey> queues = new LinkedHashMap<>();
    for (NodeTuple t : s.getValue()) {
      String key = scalar(t.getKeyNode());
      Node v = t.getValueNode();
      switch (key == null ? "" : key) {
        case "linkValidDays" -> {
          Integer days = integer(v);
          if (days == null || days < 1 || days > 90) {
            problems.add(new Problem(file, line(v), "surveys.linkValidDays", "must be a whole number of days from 1 to 90"));
          } else {
            valid = Duration.ofDays(days);
          }
        }
        case "question" -> defQuestion = text(file, v, "surveys.question", 300, problems, defQuestion);
        case "commentPrompt" -> defComment = text(file, v, "surveys.commentPrompt", 300, problems, defComment);
        case "queues" -> { } // below, once the defaults are known
        default -> problems.add(new Problem(file, line(t.getKeyNode()), "surveys." + key,
            "unknown key (known: linkValidDays, question, commentPrompt, queues)"));
      }
    }
    Node qn = value(s, "queues");
    if (qn != null && !isNull(qn)) {
      if (!(qn instanceof MappingNode qm)) {
        problems.add(new Problem(file, line(qn), "surveys.queues", "must be a mapping of queue ids to surveys"));
      } else {
        for (NodeTuple t : qm.getValue()) {
          String queue = scalar(t.getKeyNode());
          String k = "surveys.queues." + queue;
          if (queue == null || !queue.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            problems.add(new Problem(file, line(t.getKeyNode()), "surveys.queues", "queue ids are 1 to 64 letters, digits, '.', '_' or '-'"));
            continue;
          }
          if (!(t.getValueNode() instanceof MappingNode qs)) {
            problems.add(new Problem(file, line(t.getValueNode()), k, "must be a mapping with enabled, channels, question, commentPrompt"));
            continue;
          }
          boolean enabled = true;
          Set<String> channels = new LinkedHashSet<>(List.of("chat", "email", "social", "voice"));
          String question = defQuestion;
          String comment = defComment;
          for (NodeTuple f : qs.getValue()) {
            String fk = scalar(f.getKeyNode());
            Node fv = f.getValueNode();
            switch (fk == null ? "" : fk) {
              case "enabled" -> {
                if (fv instanceof ScalarNode sn && (sn.getValue().equals("true") || sn.getValue().equals("false"))) {
                  enabled = sn.getValue().equals("true");
                } else {
                  problems.add(new Problem(file, line(fv), k + ".enabled", "must be true or false"));
                }
              }
              case "channels" -> {
                if (!(fv instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                  problems.add(new Problem(file, line(fv), k + ".channels", "must be a non-empty list of chat, email, social, voice"));
                } else {
                  channels.clear();
                  for (Node c : seq.getValue()) {
                    String ch = scalar(c);
                    if (ch == null || !CHANNELS.contains(ch)) {
                      problems.add(new Problem(file, line(c), k + ".channels", "'" + ch + "' is not a channel (chat, email, social, voice)"));
                    } else if (!channels.add(ch)) {
                      problems.add(new Problem(file, line(c), k + ".channels", "'" + ch + "' is listed twice"));
                    }
                  }
                }
              }
              case "question" -> question = text(file, fv, k + ".question", 300, problems, question);
              case "commentPrompt" -> comment = text(file, fv, k + ".commentPrompt", 300, problems, comment);
              default -> problems.add(new Problem(file, line(f.getKeyNode()), k + "." + fk,
                  "unknown key (known: enabled, channels, question, commentPrompt)"));
            }
          }
          if (queues.put(queue, new QueueSurvey(enabled, channels, question, comment)) != null) {
            problems.add(new Problem(file, line(t.getKeyNode()), k, "is listed twice"));
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidSurveySettings(problems);
    }
    return new SurveySettings(valid, queues);
  }

  private static String text(String file, Node v, String key, int max, List<Problem> problems, String fallback) {
    String s = scalar(v);
    if (s == null || s.isBlank()) {
      problems.add(new Problem(file, line(v), key, "must be a non-empty text"));
      return fallback;
    }
    if (s.length() > max) {
      problems.add(new Problem(file, line(v), key, "is longer than " + max + " characters"));
      return fallback;
    }
    if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add(new Problem(file, line(v), key, "must not contain control characters or line breaks"));
      return fallback;
    }
    return s.strip();
  }

  private static Node value(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (key.equals(scalar(t.getKeyNode()))) {
        return t.getValueNode();
      }
    }
    return null;
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("null") || s.getValue().equals("~"))
        && s.getTag().getValue().endsWith(":null");
  }

  private static String scalar(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : null;
  }

  private static Integer integer(Node n) {
    String s = scalar(n);
    if (s == null || !s.matches("[0-9]{1,6}")) {
      return null;
    }
    return Integer.parseInt(s);
  }

  private static int line(Node n) {
    return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }
}

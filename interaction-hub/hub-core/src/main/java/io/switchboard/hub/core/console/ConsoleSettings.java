package io.switchboard.hub.core.console;

import io.switchboard.hub.api.error.ValidationException;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the agent console needs besides routing: the wrap-up dispositions agents choose from, whether wrap-up
 * notes are required, the canned responses, and the contact centre's own email addresses (read from
 * config/console.yaml by {@link ConsoleSettingsParser}). Immutable and thread-safe.
 *
 * @param ownAddresses the centre's own mailboxes, lower case: full addresses ({@code billing@example.com}) or
 *     whole domains ({@code @example.com}); "reply all" leaves them out of the recipients
 */
public record ConsoleSettings(List<Disposition> dispositions, boolean notesRequired, List<CannedResponse> cannedResponses,
    List<String> ownAddresses) {

  /** Settings without own addresses. */
  public ConsoleSettings(List<Disposition> dispositions, boolean notesRequired, List<CannedResponse> cannedResponses) {
    this(dispositions, notesRequired, cannedResponses, List.of());
  }

  /** A wrap-up disposition: the code stored on the interaction and the label agents see. */
  public record Disposition(String code, String label) {
    public Disposition {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(label, "label");
    }
  }

  /**
   * A canned response.
   *
   * @param shortcut what an agent types to pick it, e.g. "/refund"
   * @param text the text with placeholders (see {@link CannedResponses})
   * @param channels the channels it is meant for; empty means every channel
   */
  public record CannedResponse(String id, String title, String shortcut, String text, List<String> channels) {
    public CannedResponse {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(shortcut, "shortcut");
      Objects.requireNonNull(text, "text");
      channels = channels == null ? List.of() : List.copyOf(channels);
    }
  }

  /** Used when config/console.yaml does not exist: the five common dispositions, no canned responses. */
  public static final ConsoleSettings DEFAULTS = new ConsoleSettings(List.of(
      new Disposition("resolved", "Resolved"),
      new Disposition("follow_up", "Follow-up needed"),
      new Disposition("escalated", "Escalated"),
      new Disposition("no_answer", "No answer"),
      new Disposition("spam", "Spam")), false, List.of());

  public ConsoleSettings {
    dispositions = List.copyOf(dispositions);
    cannedResponses = List.copyOf(cannedResponses);
    ownAddresses = ownAddresses == null ? List.of() : List.copyOf(ownAddresses);
  }

  /**
   * Checks a wrap-up: the disposition must be one of the configured codes, and notes must be given when required.
   *
   * @throws ValidationException naming {@code disposition} (with the known codes) or {@code notes}
   */
  public void checkWrapUp(String disposition, String notes) {
    if (disposition == null || disposition.isBlank()) {
      throw new ValidationException("disposition", "is required; one of " + codes());
    }
    if (dispositions.stream().noneMatch(d -> d.code().equals(disposition))) {
      throw new ValidationException("disposition", "unknown disposition '" + abbreviate(disposition) + "'; one of " + codes());
    }
    if (notesRequired && (notes == null || notes.isBlank())) {
      throw new ValidationException("notes", "are required with a wrap-up");
    }
  }

  /** The configured codes, comma-separated. */
  public String codes() {
    return dispositions.stream().map(Disposition::code).collect(Collectors.joining(", "));
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}

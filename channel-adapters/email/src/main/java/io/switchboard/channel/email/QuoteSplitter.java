package io.switchboard.channel.email;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Separates what a customer wrote from the earlier messages their mail program quoted below it, so the console can
 * show the new text and keep the quote collapsed. A quote starts at the first of: an attribution line ("On ... wrote:"
 * and its German, French, Spanish, Dutch, Italian and Portuguese forms, possibly wrapped over two lines), an Outlook
 * header block ("-----Original Message-----", or "From:" followed by "Sent:"/"Date:" lines), or a block of
 * {@code >} lines that runs to the end of the message (apart from a signature). Text with nothing before the quote
 * (a forward with no comment) is kept whole as the new text.
 */
final class QuoteSplitter {
  private static final List<Pattern> ATTRIBUTION = List.of(
      Pattern.compile("^\\s*On\\b.{0,200}\\bwrote:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*Am\\b.{0,200}\\bschrieb\\b.{0,80}:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*Le\\b.{0,200}\\ba écrit\\s*:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*El\\b.{0,200}\\bescribió:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*Op\\b.{0,200}\\bschreef\\b.{0,80}:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*Il\\b.{0,200}\\bha scritto:\\s*$", Pattern.CASE_INSENSITIVE),
      Pattern.compile("^\\s*Em\\b.{0,200}\\bescreveu:\\s*$", Pattern.CASE_INSENSITIVE));
  private static final Pattern ORIGINAL = Pattern.compile(
      "^\\s*-{2,}\\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Forwarded message)\\s*-{2,}\\s*$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern HEADER_FROM = Pattern.compile("^\\s*\\*?(From|Von|De|Van)\\s*:\\*?\\s+\\S.*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern HEADER_NEXT = Pattern.compile(
      "^\\s*\\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|To|An|À|Para|Aan)\\s*:\\*?\\s+.*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern RULE = Pattern.compile("^\\s*_{10,}\\s*$");

  /** The new text and the quoted text (null when none). */
  record Split(String fresh, String quoted) {}

  private QuoteSplitter() {}

  static Split split(String text) {
    if (text == null || text.isEmpty()) {
      return new Split(text == null ? "" : text, null);
    }
    String[] lines = text.split("\n", -1);
    int start = quoteStart(lines);
    if (start <= 0) {
      return new Split(text, null);
    }
    StringBuilder fresh = new StringBuilder();
    for (int i = 0; i < start; i++) {
      fresh.append(lines[i]).append('\n');
    }
    StringBuilder quoted = new StringBuilder();
    for (int i = start; i < lines.length; i++) {
      quoted.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
    }
    String f = fresh.toString().strip();
    if (f.isEmpty()) {
      return new Split(text, null);
    }
    return new Split(f, quoted.toString().strip());
  }

  private static int quoteStart(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      for (Pattern p : ATTRIBUTION) {
        if (p.matcher(line).matches()) {
          return i;
        }
        // An attribution wrapped over two lines: "On Mon, 3 Nov 2026 at 10:00, Nora New" / "<nora@example.com> wrote:".
        if (i + 1 < lines.length && p.matcher(line.stripTrailing() + " " + lines[i + 1].strip()).matches()
            && !lines[i + 1].isBlank() && lines[i + 1].strip().toLowerCase().matches(".*(wrote|schrieb|écrit|escribió|schreef|scritto|escreveu).*:")) {
          return i;
        }
      }
      if (ORIGINAL.matcher(line).matches()) {
        return i;
      }
      if (HEADER_FROM.matcher(line).matches() && i + 1 < lines.length && HEADER_NEXT.matcher(lines[i + 1]).matches()) {
        return i > 0 && RULE.matcher(lines[i - 1]).matches() ? i - 1 : i;
      }
      if (line.startsWith(">") && quotedToEnd(lines, i)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether from line {@code i} on there is only quoted text, blank lines and at most a short signature. */
  private static boolean quotedToEnd(String[] lines, int i) {
    int other = 0;
    for (int k = i; k < lines.length; k++) {
      String l = lines[k].strip();
      if (l.equals("--") || l.equals("-- ")) {
        return true;
      }
      if (!l.isEmpty() && !l.startsWith(">")) {
        other++;
        if (other > 3) {
          return false;
        }
      }
    }
    return true;
  }
}

package io.switchboard.channel.email;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * An HTML email body as plain text, for an email that has no text/plain alternative. Nothing of the HTML is ever
 * rendered: scripts, styles and comments are dropped, paragraphs and line breaks become new lines, list items get a
 * dash, links keep their target in brackets, images their alternative text, and {@code <blockquote>} lines get a
 * {@code > } prefix (so the quoted part can be told apart like in plain text).
 *
 * <p>Parsing with jsoup is lenient: any byte sequence gives some text, never an exception.
 */
final class HtmlText {
  private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "header", "footer", "table", "tr",
      "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "address", "hr", "blockquote", "center", "form", "dl", "dt", "dd");

  private HtmlText() {}

  static String toText(String html) {
    Document doc = Jsoup.parse(html == null ? "" : html);
    doc.select("script, style, head, title, noscript, template, object, embed, iframe, svg").remove();
    StringBuilder out = new StringBuilder();
    Element body = doc.body() == null ? doc : doc.body();
    NodeTraversor.traverse(new Visitor(out), body);
    return tidy(out.toString());
  }

  private static final class Visitor implements NodeVisitor {
    private final StringBuilder out;
    private int quoteDepth;
    private boolean lineStart = true;

    Visitor(StringBuilder out) {
      this.out = out;
    }

    @Override
    public void head(Node node, int depth) {
      if (node instanceof TextNode t) {
        String text = t.getWholeText().replaceAll("[\\s\\u00a0]+", " ");
        if (inPre(t)) {
          text = t.getWholeText();
        }
        if (lineStart) {
          text = text.stripLeading();
        }
        if (!text.isEmpty()) {
          write(text);
        }
      } else if (node instanceof Element e) {
        String tag = e.normalName();
        if (tag.equals("br")) {
          newline();
        } else if (tag.equals("li")) {
          newline();
          write("- ");
        } else if (tag.equals("img")) {
          String alt = e.attr("alt").strip();
          if (!alt.isEmpty()) {
            write("[" + alt + "]");
          }
        } else if (tag.equals("td") || tag.equals("th")) {
          if (!lineStart) {
            write(" ");
          }
        } else if (BLOCKS.contains(tag)) {
          newline();
          if (tag.equals("blockquote")) {
            quoteDepth++;
          }
        }
      }
    }

    @Override
    public void tail(Node node, int depth) {
      if (node instanceof Element e) {
        String tag = e.normalName();
        if (tag.equals("a")) {
          String href = e.attr("href").strip();
          String text = e.text().strip();
          if (!href.isEmpty() && !href.startsWith("mailto:") && !href.startsWith("#") && !href.equals(text)
              && (href.startsWith("http://") || href.startsWith("https://"))) {
            write(" (" + href + ")");
          }
        } else if (BLOCKS.contains(tag)) {
          if (tag.equals("blockquote")) {
            newline();
            quoteDepth = Math.max(0, quoteDepth - 1);
          } else {
            newline();
          }
          if (tag.equals("p") || tag.startsWith("h")) {
            out.append('\n');
          }
        }
      }
    }

    private void write(String text) {
      if (lineStart && quoteDepth > 0) {
        out.append("> ".repeat(quoteDepth));
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        out.append(c);
        if (c == '\n') {
          if (quoteDepth > 0) {
            out.append("> ".repeat(quoteDepth));
          }
        }
      }
      lineStart = false;
    }

    private void newline() {
      if (!lineStart) {
        out.append('\n');
        lineStart = true;
      }
    }

    private static boolean inPre(Node n) {
      for (Node p = n.parent(); p != null; p = p.parent()) {
        if (p instanceof Element e && e.normalName().equals("pre")) {
          return true;
        }
      }
      return false;
    }
  }

  /** Trailing spaces off every line, at most one empty line in a row, none at either end. */
  static String tidy(String text) {
    StringBuilder out = new StringBuilder();
    int blank = 0;
    for (String line : text.split("\n", -1)) {
      String l = line.stripTrailing();
      if (l.isEmpty() || l.matches(">(\\s?>)*\\s*")) {
        blank++;
        if (blank > 1) {
          continue;
        }
      } else {
        blank = 0;
      }
      out.append(l).append('\n');
    }
    return out.toString().strip();
  }
}

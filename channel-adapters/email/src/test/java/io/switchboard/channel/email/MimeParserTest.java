package io.switchboard.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.api.InboundFile;
import jakarta.mail.Session;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MIME parsing: text, HTML, charsets, headers, quotes, files")
class MimeParserTest {
  private final Session session = Session.getInstance(MimeParser.lenientProperties());
  private final MimeParser parser = new MimeParser(EmailSettings.parse(Map.of("limits",
      Map.of("maxStoredBytes", "1KiB", "maxTextChars", 2000))).limits());

  private ParsedEmail parse(String raw) throws Exception {
    return parser.parse(session, raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  private ParsedEmail parseBytes(byte[] raw) throws Exception {
    return parser.parse(session, raw);
  }

  @Test
  @DisplayName("multipart/alternative: the text/plain part is preferred over the HTML")
  void plainPreferred() throws Exception {
    ParsedEmail e = parse("From: a@x.example\nSubject: s\nMessage-ID: <1@x>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nPlain words\n"
        + "--b\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <b>words</b></p>\n--b--\n");
    assertThat(e.text()).isEqualTo("Plain words");
  }

  @Test
  @DisplayName("HTML-only mail becomes safe text: no script or style, links and quotes kept readable")
  void htmlBecomesText() throws Exception {
    ParsedEmail e = parse("From: a@x.example\nSubject: s\nMessage-ID: <2@x>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        + "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body><p>Hello&nbsp;team,</p>"
        + "<p>see <a href=\"https://shop.example/order/1\">my order</a><br>thanks</p><ul><li>one</li><li>two</li></ul>"
        + "<img src=\"cid:logo\" alt=\"Logo\"><div>On Mon, Nora wrote:</div><blockquote>old text</blockquote></body></html>\n");
    assertThat(e.text()).doesNotContain("alert").doesNotContain("color").doesNotContain("<")
        .contains("Hello team,").contains("see my order (https://shop.example/order/1)").contains("thanks")
        .contains("- one").contains("- two").contains("[Logo]");
    assertThat(e.quoted()).contains("On Mon, Nora wrote:").contains("> old text");
  }

  @Test
  @DisplayName("charsets: declared ISO-8859-1, undeclared windows-1252, unknown charset, quoted-printable and base64")
  void charsets() throws Exception {
    byte[] latin = ("From: a@x.example\r\nSubject: s\r\nMessage-ID: <3@x>\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=ISO-8859-1\r\n\r\nGr\u00fc\u00dfe aus K\u00f6ln\r\n").getBytes(StandardCharsets.ISO_8859_1);
    assertThat(parseBytes(latin).text()).isEqualTo("Grüße aus Köln");
    byte[] undeclared = ("From: a@x.example\r\nSubject: s\r\nMessage-ID: <4@x>\r\n\r\nco\u00fbt 5\u20ac\r\n")
        .getBytes(java.nio.charset.Charset.forName("windows-1252"));
    assertThat(parseBytes(undeclared).text()).isEqualTo("coût 5€");
    assertThat(parse("From: a@x.example\nSubject: s\nMessage-ID: <5@x>\nContent-Type: text/plain; charset=x-klingon\n\nplain ascii\n")
        .text()).isEqualTo("plain ascii");
    assertThat(parse("From: a@x.example\nSubject: s\nMessage-ID: <6@x>\nContent-Type: text/plain; charset=utf-8\n"
        + "Content-Transfer-Encoding: quoted-printable\n\nPreis: 5=E2=82=AC, sch=C3=B6n=\n zusammen\n").text())
        .isEqualTo("Preis: 5€, schön zusammen");
    String b64 = Base64.getMimeEncoder().encodeToString("Καλημέρα".getBytes(StandardCharsets.UTF_8));
    assertThat(parse("From: a@x.example\nSubject: s\nMessage-ID: <7@x>\nContent-Type: text/plain; charset=utf-8\n"
        + "Content-Transfer-Encoding: base64\n\n" + b64 + "\n").text()).isEqualTo("Καλημέρα");
  }

  @Test
  @DisplayName("encoded words in Subject and names are decoded; CR, LF and NUL never survive in a header value")
  void headersDecodedAndCleaned() throws Exception {
    ParsedEmail e = parse("From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@x.example>\n"
        + "To: =?ISO-8859-1?Q?S=F8ren?= <soren@x.example>, broken-address, \"Ann\" <ann@x.example>\n"
        + "Subject: =?UTF-8?B?UmU6IFJlY2hudW5n?= =?UTF-8?Q?_M=C3=A4rz?=\n"
        + "Message-ID: <8@x>\nIn-Reply-To: <a@x>\nReferences: <r1@x>\n <r2@x>\n\nhi\n");
    assertThat(e.from().name()).isEqualTo("Jürgen Müller");
    assertThat(e.from().address()).isEqualTo("juergen@x.example");
    assertThat(e.subject()).isEqualTo("Re: Rechnung März");
    assertThat(e.to()).extracting(a -> a.address()).containsExactly("soren@x.example", "ann@x.example");
    assertThat(e.to().get(0).name()).isEqualTo("Søren");
    assertThat(e.references()).containsExactly("<r1@x>", "<r2@x>", "<a@x>");

    ParsedEmail injected = parse("From: =?UTF-8?Q?Eve=0D=0ABcc:_victim@x.example?= <eve@x.example>\n"
        + "Subject: =?UTF-8?Q?Hello=0D=0AX-Injected:_yes=00?=\nMessage-ID: <9@x>\n\nbody\n");
    assertThat(injected.subject()).isEqualTo("HelloX-Injected: yes").doesNotContain("\r").doesNotContain("\n").doesNotContain("\0");
    assertThat(injected.from().name()).doesNotContain("\r").doesNotContain("\n");

    // Folded threading headers and an encoded CR/LF in a name: values come out on one line (issue #11.7).
    ParsedEmail folded = parse("From: =?UTF-8?Q?Mallory=0D=0A?= <m@x.example>\n"
        + "Subject: =?UTF-8?Q?Re:_order=0AX-Evil:_1?=\nMessage-ID:\n <folded@x>\n"
        + "In-Reply-To:\n <orig@x>\nReferences: <r1@x>\n\t<r2@x>\n\n" + "body\n");
    assertThat(folded.subject()).doesNotContain("\r").doesNotContain("\n");
    assertThat(folded.from().name()).doesNotContain("\r").doesNotContain("\n");
    assertThat(folded.references()).allSatisfy(r -> assertThat(r).doesNotContain("\r").doesNotContain("\n"));
    assertThat(folded.references()).contains("<r1@x>", "<r2@x>");
    assertThat(folded.messageId()).isEqualTo("<folded@x>");
  }

  @Test
  @DisplayName("the quoted reply is separated from the new text (English, German, Outlook, > lines)")
  void quotes() throws Exception {
    ParsedEmail en = parse("From: a@x.example\nSubject: s\nMessage-ID: <10@x>\n\nYes, please refund it.\n\n"
        + "On Mon, 23 Nov 2026 at 09:00, Support <support@example.com> wrote:\n> Shall we refund it?\n> Regards\n");
    assertThat(en.text()).isEqualTo("Yes, please refund it.");
    assertThat(en.quoted()).startsWith("On Mon, 23 Nov 2026").contains("> Shall we refund it?");
    ParsedEmail de = parse("From: a@x.example\nSubject: s\nMessage-ID: <11@x>\n\nDanke!\n\nAm 23.11.2026 um 09:00 schrieb Support <support@example.com>:\n> Hallo\n");
    assertThat(de.text()).isEqualTo("Danke!");
    assertThat(de.quoted()).contains("> Hallo");
    ParsedEmail outlook = parse("From: a@x.example\nSubject: s\nMessage-ID: <12@x>\n\nSee below.\n\n________________________________\n"
        + "From: Support <support@example.com>\nSent: Monday, 23 November 2026 09:00\nTo: Nora\nSubject: Invoice\n\nOld text\n");
    assertThat(outlook.text()).isEqualTo("See below.");
    assertThat(outlook.quoted()).contains("Old text");
    ParsedEmail bottom = parse("From: a@x.example\nSubject: s\nMessage-ID: <13@x>\n\nNew line\n> old one\n> old two\n");
    assertThat(bottom.text()).isEqualTo("New line");
    ParsedEmail onlyQuote = parse("From: a@x.example\nSubject: Fwd\nMessage-ID: <14@x>\n\n-----Original Message-----\nForwarded text\n");
    assertThat(onlyQuote.text()).contains("Forwarded text");
    assertThat(onlyQuote.quoted()).isNull();
  }

  @Test
  @DisplayName("attachments and inline images are kept as files; parts over the limit per message are named, not stored")
  void filesWithinTheLimit() throws Exception {
    String small = Base64.getMimeEncoder().encodeToString(new byte[300]);
    String logo = Base64.getMimeEncoder().encodeToString(new byte[200]);
    String big = Base64.getMimeEncoder().encodeToString(new byte[4000]);
    ParsedEmail e = parse("From: a@x.example\nSubject: s\nMessage-ID: <15@x>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/related; boundary=r\n\n"
        + "--r\nContent-Type: text/html; charset=utf-8\n\n<p>Look <img src=\"cid:logo@x\"></p>\n"
        + "--r\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n" + logo + "\n--r--\n"
        + "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf\n"
        + "Content-Transfer-Encoding: base64\n\n" + small + "\n"
        + "--m\nContent-Type: application/zip; name=\"../../etc/passwd.zip\"\nContent-Disposition: attachment; filename=\"../../etc/passwd.zip\"\n"
        + "Content-Transfer-Encoding: base64\n\n" + big + "\n--m--\n");
    assertThat(e.text()).isEqualTo("Look");
    assertThat(e.files()).extracting(InboundFile::fileName).containsExactly("image-1.png", "Rechnung März.pdf");
    InboundFile image = e.files().get(0);
    assertThat(image.inline()).isTrue();
    assertThat(image.contentId()).isEqualTo("logo@x");
    assertThat(image.bytes().length()).isEqualTo(200);
    assertThat(e.files().get(1).mediaType()).isEqualTo("application/pdf");
    assertThat(e.omitted()).singleElement().satisfies(p -> {
      assertThat(p.fileName()).isEqualTo("passwd.zip");
      assertThat(p.reason()).contains("1 KiB together");
    });
  }

  @Test
  @DisplayName("a message without a usable sender, or with a broken MIME structure, cannot be parsed (and says why)")
  void unparseable() {
    assertThatThrownBy(() -> parse("To: b@x.example\nSubject: s\n\nbody\n"))
        .isInstanceOf(MimeParser.Unparseable.class).hasMessageContaining("no sender");
    assertThatThrownBy(() -> parse("From: not an address\nSubject: s\n\nbody\n"))
        .isInstanceOf(MimeParser.Unparseable.class).hasMessageContaining("no sender");
    assertThatThrownBy(() -> parse("From: a@x.example\nContent-Type: multipart/mixed\n\nno boundary\n"))
        .isInstanceOf(MimeParser.Unparseable.class).hasMessageContaining("MIME structure");
  }

  @Test
  @DisplayName("a message without Message-ID gets a stable stand-in from its bytes; long text is cut and says so")
  void standInIdAndCutText() throws Exception {
    String raw = "From: a@x.example\nSubject: s\n\n" + "x".repeat(5000) + "\n";
    ParsedEmail first = parse(raw);
    ParsedEmail again = parse(raw);
    assertThat(first.messageId()).isEqualTo(again.messageId()).endsWith("@no-message-id.switchboard.invalid>");
    assertThat(first.text()).startsWith("xxxx").contains("[cut: the message is 5000 characters long; 2000 are kept]");
  }
}

package io.switchboard.channel.email;

import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.InboundEmail.OmittedPart;
import io.switchboard.hub.api.InboundFile;
import io.vertx.core.buffer.Buffer;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a MIME message (RFC 5322, 2045-2049, 2231) into what the hub stores: the sender, recipients, subject and
 * threading headers with encoded words decoded and CR, LF and NUL removed; the text (text/plain preferred in
 * multipart/alternative, else the HTML as text), split into new and quoted text; attachments and inline images
 * as files, within the size limit per message (the parts over it are named, not stored).
 *
 * <p>Reference: RFC 5322 (format), RFC 2045/2046 (MIME), RFC 2047 (encoded words), RFC 2231 (parameters).
 * Charsets: the declared one; without one, UTF-8 when the bytes are valid UTF-8, else windows-1252; an unknown one
 * is treated the same way. A message whose structure cannot be read at all fails with {@link Unparseable}.
 *
 * <p>Size (over 400 lines, #15): one recursive walk of one message's MIME tree with the charset, encoded-word and
 * size rules of the RFCs above; each part's decision (body, alternative, attachment, inline image, too large) depends
 * on its parents, so the walk is kept in one place.
 */
final class MimeParser {
  /** The largest text part read (a bigger one is cut). */
  private static final int MAX_TEXT_PART_BYTES = 4 << 20;
  private static final Pattern ANGLE_ID = Pattern.compile("<([^<>\\s]{1,500})>");
  private static final Charset CP1252 = Charset.forName("windows-1252");

  /** A message that cannot be taken in, with the reason for the supervisor. */
  static final class Unparseable extends Exception {
    Unparseable(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  private final EmailSettings.Limits limits;

  MimeParser(EmailSettings.Limits limits) {
    this.limits = limits;
  }

  /** Session properties that make header and parameter decoding lenient, as real mail needs. */
  static Properties lenientProperties() {
    Properties p = new Properties();
    p.put("mail.mime.decodetext.strict", "false");
    p.put("mail.mime.decodefilename", "true");
    p.put("mail.mime.decodeparameters", "true");
    p.put("mail.mime.parameters.strict", "false");
    p.put("mail.mime.address.strict", "false");
    p.put("mail.mime.multipart.ignoremissingendboundary", "true");
    p.put("mail.mime.multipart.allowempty", "true");
    p.put("mail.mime.base64.ignoreerrors", "true");
    p.put("mail.mime.uudecode.ignoreerrors", "true");
    return p;
  }

  /** Parses raw bytes (a whole message). */
  ParsedEmail parse(Session session, byte[] raw) throws Unparseable {
    MimeMessage message;
    try {
      message = new MimeMessage(session, new ByteArrayInputStream(raw));
    } catch (MessagingException e) {
      throw new Unparseable("the message's headers cannot be read: " + e.getMessage(), e);
    }
    return parse(message, raw.length, true, sha256(raw));
  }

  /**
   * Parses a message.
   *
   * @param size its size in bytes (as the server declared it)
   * @param downloadFiles false for a message over the size limit: its files are named, not downloaded
   * @param rawDigest SHA-256 of the raw bytes, for the stand-in Message-ID of a message without one (or null)
   */
  ParsedEmail parse(MimeMessage message, long size, boolean downloadFiles, String rawDigest) throws Unparseable {
    try {
      EmailAddress from = firstAddress(message, "From");
      if (from == null) {
        from = firstAddress(message, "Sender");
      }
      if (from == null) {
        throw new Unparseable("no sender: the From header is missing or holds no valid address", null);
      }
      String messageId = messageId(message.getHeader("Message-ID", null));
      if (messageId == null) {
        messageId = "<" + (rawDigest == null ? Long.toHexString(System.nanoTime()) : rawDigest.substring(0, 40))
            + "@no-message-id.switchboard.invalid>";
      }
      List<String> references = references(message.getHeader("References", " "), message.getHeader("In-Reply-To", " "));
      Walk walk = new Walk(downloadFiles, size);
      try {
        walk.part(message, false);
      } catch (MessagingException | IOException e) {
        throw new Unparseable("the MIME structure cannot be read: " + e.getMessage(), e);
      }
      String text = walk.plain != null ? walk.plain : walk.html != null ? HtmlText.toText(walk.html) : "";
      text = normaliseNewlines(text);
      QuoteSplitter.Split split = QuoteSplitter.split(text);
      String fresh = cut(split.fresh().strip(), limits.maxTextChars());
      String quoted = split.quoted() == null ? null : cut(split.quoted(), limits.maxTextChars());
      if (fresh.isBlank() && walk.files.isEmpty() && walk.omitted.isEmpty()) {
        fresh = "(no text)";
      } else if (fresh.isBlank()) {
        fresh = "(no text; see the attached files)";
      }
      Instant date = message.getSentDate() == null ? null : message.getSentDate().toInstant();
      return new ParsedEmail(messageId, from, addresses(message, "To"), addresses(message, "Cc"), subject(message), references,
          fresh, quoted, List.copyOf(walk.files), List.copyOf(walk.omitted), date, message);
    } catch (MessagingException e) {
      throw new Unparseable("the message cannot be read: " + e.getMessage(), e);
    }
  }

  /** One pass over the MIME tree, collecting the body text and the files. */
  private final class Walk {
    final boolean downloadFiles;
    final long messageSize;
    String plain;
    String html;
    final List<InboundFile> files = new ArrayList<>();
    final List<OmittedPart> omitted = new ArrayList<>();
    long stored;
    int unnamed;

    Walk(boolean downloadFiles, long messageSize) {
      this.downloadFiles = downloadFiles;
      this.messageSize = messageSize;
    }

    void part(Part p, boolean alternativeChosen) throws MessagingException, IOException {
      if (p.isMimeType("multipart/*")) {
        Object content = p.getContent();
        if (!(content instanceof Multipart mp)) {
          throw new MessagingException("a multipart without parts");
        }
        if (p.isMimeType("multipart/alternative")) {
          alternative(mp);
          return;
        }
        for (int i = 0; i < mp.getCount(); i++) {
          part(mp.getBodyPart(i), alternativeChosen);
        }
        return;
      }
      String disposition = disposition(p);
      boolean textual = p.isMimeType("text/plain") || p.isMimeType("text/html");
      if (textual && !"attachment".equals(disposition) && fileName(p) == null) {
        String t = text(p);
        if (p.isMimeType("text/plain")) {
          plain = plain == null ? t : plain + "\n\n" + t;
        } else if (html == null) {
          html = t;
        } else {
          html = html + "<br>" + t;
        }
        return;
      }
      file(p, disposition);
    }

    /** text/plain preferred; the other alternatives still give their inline images. */
    void alternative(Multipart mp) throws MessagingException, IOException {
      BodyPart plainPart = null;
      BodyPart best = null;
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart b = mp.getBodyPart(i);
        if (b.isMimeType("text/plain") && plainPart == null) {
          plainPart = b;
        }
        best = b;
      }
      BodyPart chosen = plainPart != null && !text(plainPart).isBlank() ? plainPart : best;
      if (chosen == null) {
        return;
      }
      part(chosen, true);
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart b = mp.getBodyPart(i);
        if (b != chosen && b.isMimeType("multipart/*")) {
          imagesOnly(b);
        }
      }
    }

    /** The files of an alternative that is not shown (the inline images of the HTML version). */
    void imagesOnly(Part p) throws MessagingException, IOException {
      if (p.isMimeType("multipart/*") && p.getContent() instanceof Multipart mp) {
        for (int i = 0; i < mp.getCount(); i++) {
          imagesOnly(mp.getBodyPart(i));
        }
      } else if (!p.isMimeType("text/plain") && !p.isMimeType("text/html")) {
        file(p, disposition(p));
      }
    }

    void file(Part p, String disposition) throws MessagingException, IOException {
      String type = baseType(p);
      String name = fileName(p);
      if (name == null) {
        unnamed++;
        name = (type.startsWith("image/") ? "image-" : "part-") + unnamed + extension(type);
      }
      String contentId = p instanceof MimePart mp ? contentId(mp.getContentID()) : null;
      boolean inline = "inline".equals(disposition) || (contentId != null && !"attachment".equals(disposition));
      long declared = p.getSize();
      if (!downloadFiles) {
        omitted.add(new OmittedPart(name, type, Math.max(declared, 0), "not stored: the message ("
            + mib(messageSize) + ") is larger than the " + mib(limits.maxMessageBytes()) + " limit, so its files were not downloaded"));
        return;
      }
      long budget = limits.maxStoredBytes() - stored;
      // The encoded size is about 4/3 of the file: a part far over the budget is not even read.
      if (declared > 0 && declared * 3 / 4 > budget) {
        omitted.add(omittedOverLimit(name, type, declared * 3 / 4));
        return;
      }
      byte[] bytes = readAtMost(p.getInputStream(), budget);
      if (bytes == null) {
        omitted.add(omittedOverLimit(name, type, Math.max(declared * 3 / 4, budget + 1)));
        return;
      }
      if (bytes.length == 0) {
        return;
      }
      stored += bytes.length;
      files.add(new InboundFile(name, type, Buffer.buffer(bytes), contentId, inline));
    }

    private OmittedPart omittedOverLimit(String name, String type, long size) {
      return new OmittedPart(name, type, size, "not stored: the files of one message may take "
          + mib(limits.maxStoredBytes()) + " together");
    }
  }

  // ------------------------------------------------------------------ headers

  /** A header value with CR, LF, NUL and other control characters (but tab, as a space) removed. */
  static String clean(String value) {
    if (value == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\t') {
        out.append(' ');
      } else if (c >= 0x20 && c != 0x7f && c != '\u0085' && c != '\u2028' && c != '\u2029') {
        out.append(c);
      }
    }
    return out.toString().strip();
  }

  private static String subject(MimeMessage m) throws MessagingException {
    String raw = m.getHeader("Subject", " ");
    if (raw == null) {
      return null;
    }
    String decoded;
    try {
      decoded = MimeUtility.decodeText(MimeUtility.unfold(raw));
    } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
      decoded = MimeUtility.unfold(raw);
    }
    String s = clean(decoded);
    if (s.isEmpty()) {
      return null;
    }
    return s.length() > 998 ? s.substring(0, 998) : s;
  }

  static String messageId(String raw) {
    if (raw == null) {
      return null;
    }
    String v = clean(MimeUtility.unfold(raw));
    Matcher m = ANGLE_ID.matcher(v);
    if (m.find()) {
      return "<" + m.group(1) + ">";
    }
    if (!v.isEmpty() && v.length() <= 500 && v.indexOf(' ') < 0 && v.contains("@")) {
      return "<" + v + ">";
    }
    return null;
  }

  /** References oldest first, then In-Reply-To when not among them; at most the newest 100. */
  static List<String> references(String references, String inReplyTo) {
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    for (String header : new String[] {references, inReplyTo}) {
      if (header == null) {
        continue;
      }
      Matcher m = ANGLE_ID.matcher(clean(MimeUtility.unfold(header)));
      while (m.find()) {
        ids.add("<" + m.group(1) + ">");
      }
    }
    List<String> all = new ArrayList<>(ids);
    return all.size() > 100 ? List.copyOf(all.subList(all.size() - 100, all.size())) : List.copyOf(all);
  }

  private static final Pattern ANGLE_ADDRESS = Pattern.compile("^(.*)<([^<>\\s@]+@[^<>\\s@]+)>\\s*$");

  /**
   * The first address of a header; when the strict reading finds none (an encoded word with a colon reads as a group),
   * the last {@code <address>} of the header, with what stands before it as the name.
   */
  private static EmailAddress firstAddress(MimeMessage m, String header) throws MessagingException {
    String raw = m.getHeader(header, ",");
    List<EmailAddress> all = parseAddresses(raw, 1);
    if (!all.isEmpty() || raw == null) {
      return all.isEmpty() ? null : all.get(0);
    }
    Matcher angle = ANGLE_ADDRESS.matcher(clean(MimeUtility.unfold(raw)));
    if (!angle.matches()) {
      return null;
    }
    String name = angle.group(1).strip();
    try {
      name = MimeUtility.decodeText(name);
    } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
      // keep it as written
    }
    name = clean(name.replaceAll("^\"|\"$", ""));
    if (name.length() > EmailAddress.MAX_NAME) {
      name = name.substring(0, EmailAddress.MAX_NAME);
    }
    return new EmailAddress(angle.group(2), name.isEmpty() ? null : name);
  }

  private static List<EmailAddress> addresses(MimeMessage m, String header) throws MessagingException {
    return parseAddresses(m.getHeader(header, ","), 100);
  }

  static List<EmailAddress> parseAddresses(String raw, int max) {
    List<EmailAddress> out = new ArrayList<>();
    if (raw == null || raw.isBlank()) {
      return out;
    }
    InternetAddress[] parsed;
    try {
      parsed = InternetAddress.parseHeader(MimeUtility.unfold(raw), false);
    } catch (AddressException e) {
      return out;
    }
    for (InternetAddress a : parsed) {
      if (out.size() >= max) {
        break;
      }
      if (a.isGroup()) {
        continue;
      }
      String address = clean(a.getAddress());
      if (address == null || address.length() > 320 || address.indexOf('@') <= 0 || address.indexOf('@') == address.length() - 1
          || address.contains(" ")) {
        continue;
      }
      String name = clean(a.getPersonal());
      if (name != null && name.length() > EmailAddress.MAX_NAME) {
        name = name.substring(0, EmailAddress.MAX_NAME);
      }
      out.add(new EmailAddress(address, name == null || name.isEmpty() ? null : name));
    }
    return out;
  }

  // ------------------------------------------------------------------ parts

  private static String disposition(Part p) {
    try {
      String d = p.getDisposition();
      return d == null ? null : d.toLowerCase(Locale.ROOT);
    } catch (MessagingException e) {
      return null;
    }
  }

  private static String baseType(Part p) {
    try {
      return new ContentType(p.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
    } catch (MessagingException | RuntimeException e) {
      return "application/octet-stream";
    }
  }

  /** The part's file name made safe (no path, no control characters, at most 255), or null when it has none. */
  static String fileName(Part p) {
    String name;
    try {
      name = p.getFileName();
    } catch (MessagingException | RuntimeException e) {
      return null;
    }
    if (name == null) {
      return null;
    }
    try {
      if (name.contains("=?")) {
        name = MimeUtility.decodeText(name);
      }
    } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
      // keep it as written
    }
    return safeFileName(name);
  }

  static String safeFileName(String raw) {
    String name = clean(raw);
    if (name == null) {
      return null;
    }
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    name = name.substring(slash + 1).strip();
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return null;
    }
    if (name.length() > 255) {
      int dot = name.lastIndexOf('.');
      String ext = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
      name = name.substring(0, 255 - ext.length()) + ext;
    }
    return InboundFile.safeName(name) ? name : null;
  }

  private static String contentId(String raw) {
    if (raw == null) {
      return null;
    }
    String v = clean(raw);
    if (v.startsWith("<") && v.endsWith(">")) {
      v = v.substring(1, v.length() - 1);
    }
    return v.isEmpty() || v.length() > 500 ? null : v;
  }

  private static String extension(String type) {
    return switch (type) {
      case "image/png" -> ".png";
      case "image/jpeg" -> ".jpg";
      case "image/gif" -> ".gif";
      case "application/pdf" -> ".pdf";
      case "message/rfc822" -> ".eml";
      case "text/calendar" -> ".ics";
      case "text/plain" -> ".txt";
      case "text/html" -> ".html";
      default -> ".bin";
    };
  }

  /** A text part's content in its charset (or a guessed one), at most {@link #MAX_TEXT_PART_BYTES} read. */
  private static String text(Part p) throws MessagingException, IOException {
    byte[] bytes = readAtMost(p.getInputStream(), MAX_TEXT_PART_BYTES);
    boolean cut = bytes == null;
    if (cut) {
      bytes = readPrefix(p.getInputStream(), MAX_TEXT_PART_BYTES);
    }
    String charset = null;
    try {
      charset = new ContentType(p.getContentType()).getParameter("charset");
    } catch (MessagingException | RuntimeException e) {
      // no usable Content-Type: guess below
    }
    String text = decode(bytes, charset);
    return cut ? text + "\n[the rest of this part was not read: it is larger than " + mib(MAX_TEXT_PART_BYTES) + "]" : text;
  }

  static String decode(byte[] bytes, String charset) {
    if (charset != null) {
      try {
        Charset cs = Charset.forName(MimeUtility.javaCharset(charset.strip()));
        return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (RuntimeException | CharacterCodingException e) {
        // an unknown or unsupported charset: guess
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, CP1252);
    }
  }

  /** The whole stream when it has at most {@code max} bytes, else null (having read {@code max + 1}). */
  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > max) {
          return null;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static byte[] readPrefix(InputStream in, int max) throws IOException {
    try (in) {
      return in.readNBytes(max);
    }
  }

  static String normaliseNewlines(String text) {
    String t = text.replace("\r\n", "\n").replace('\r', '\n').replace("\u0000", "");
    return t;
  }

  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    return text.substring(0, max) + "\n[cut: the message is " + text.length() + " characters long; " + max + " are kept]";
  }

  static String mib(long bytes) {
    if (bytes < 1024 * 1024) {
      return (bytes / 1024) + " KiB";
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

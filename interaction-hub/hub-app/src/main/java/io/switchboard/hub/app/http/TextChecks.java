package io.switchboard.hub.app.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.hub.api.error.ValidationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Text the hub refuses wherever it arrives (bodies, query parameters): bytes that are not valid UTF-8 (overlong
 * encodings such as {@code C0 80}, encoded surrogates, truncated sequences), the NUL character (PostgreSQL cannot
 * store it in text) and lone UTF-16 surrogates ({@code "\ud800"}, which no character is). Each is a 422 naming the
 * field, so a client knows what to fix rather than retrying.
 */
public final class TextChecks {
  private static final JsonFactory FACTORY = new JsonFactory();

  private TextChecks() {}

  /** Throws {@link ValidationException} naming the field of the first bad text in a JSON body and its tree. */
  static void checkJson(byte[] body, JsonNode tree) {
    int bad = firstMalformed(body);
    if (bad >= 0) {
      throw new ValidationException(fieldAt(body, bad), "is not valid UTF-8 (overlong or broken byte sequence)");
    }
    walk(tree, "");
  }

  /** The problem with {@code value}, or null when it is acceptable text. */
  public static String problem(String value) {
    return io.switchboard.hub.api.TextRules.problem(value);
  }

  /** Throws {@link ValidationException} naming {@code field} when {@code value} is not acceptable text. */
  public static void check(String field, String value) {
    String p = problem(value);
    if (p != null) {
      throw new ValidationException(field, p);
    }
  }

  private static void walk(JsonNode node, String path) {
    if (node.isTextual()) {
      check(path.isEmpty() ? "body" : path, node.textValue());
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        String p = problem(e.getKey());
        if (p != null) {
          throw new ValidationException(path.isEmpty() ? "body" : path, "field names " + p);
        }
        walk(e.getValue(), field);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "[" + i + "]");
      }
    }
  }

  /** The byte offset of the first malformed UTF-8 sequence, or -1. */
  static int firstMalformed(byte[] bytes) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
    var result = d.decode(in, out, true);
    if (result.isError()) {
      return in.position();
    }
    return -1;
  }

  /** The JSON path of the string (value or name) holding byte {@code offset}; "body" when none does. */
  private static String fieldAt(byte[] body, int offset) {
    try (JsonParser p = FACTORY.createParser(body)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        long start = p.currentTokenLocation().getByteOffset();
        if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
          p.getTextLength();
          long end = p.currentLocation().getByteOffset();
          if (offset >= start && offset < end) {
            String pointer = p.getParsingContext().pathAsPointer().toString();
            return pointer.isEmpty() ? "body" : pointer.substring(1).replace('/', '.');
          }
        } else if (start > offset) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // a body Jackson cannot read past the bad bytes: name the body
    }
    return "body";
  }

  /** For tests and callers that hold text already decoded. */
  static boolean isValidUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}

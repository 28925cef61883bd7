package io.switchboard.channel.social.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reads of provider JSON: a required field that is missing or of the wrong type fails with a
 * {@link MalformedPayloadException} naming its path; optional fields may be absent but not of the wrong type.
 */
public final class JsonFields {
  private JsonFields() {}

  public static JsonObject object(JsonObject o, String key, String path) {
    JsonObject v = optObject(o, key, path);
    if (v == null) {
      throw missing(path, key, "an object");
    }
    return v;
  }

  public static JsonObject optObject(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonObject j) {
      return j;
    }
    throw wrong(path, key, "an object");
  }

  /** The elements of a required array, each of which must be an object. */
  public static List<JsonObject> objects(JsonObject o, String key, String path) {
    if (o.getValue(key) == null) {
      throw missing(path, key, "an array");
    }
    return optObjects(o, key, path);
  }

  /** The elements of an optional array (empty when absent), each of which must be an object. */
  public static List<JsonObject> optObjects(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw wrong(path, key, "an array");
    }
    List<JsonObject> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject j)) {
        throw new MalformedPayloadException(join(path, key) + "[" + i + "] must be an object");
      }
      out.add(j);
    }
    return out;
  }

  /** The strings of an optional array (empty when absent). */
  public static List<String> optStrings(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw wrong(path, key, "an array");
    }
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String s)) {
        throw new MalformedPayloadException(join(path, key) + "[" + i + "] must be a string");
      }
      out.add(s);
    }
    return out;
  }

  /** A required, non-blank string. */
  public static String text(JsonObject o, String key, String path) {
    String v = optText(o, key, path);
    if (v == null || v.isBlank()) {
      throw missing(path, key, "a non-empty string");
    }
    return v;
  }

  public static String optText(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    throw wrong(path, key, "a string");
  }

  /** A required identifier given as a string or as an integer (Telegram and Messenger use both). */
  public static String id(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      throw missing(path, key, "an id");
    }
    String s = switch (v) {
      case String str -> str;
      case Integer i -> Integer.toString(i);
      case Long l -> Long.toString(l);
      case BigInteger b -> b.toString();
      default -> throw wrong(path, key, "a string or integer id");
    };
    if (s.isBlank()) {
      throw missing(path, key, "an id");
    }
    return s;
  }

  /** A required whole number, given as a number or as a string of digits (WhatsApp writes timestamps as strings). */
  public static long integer(JsonObject o, String key, String path) {
    Long v = optInteger(o, key, path);
    if (v == null) {
      throw missing(path, key, "an integer");
    }
    return v;
  }

  public static Long optInteger(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    try {
      return switch (v) {
        case Integer i -> (long) i;
        case Long l -> l;
        case BigInteger b -> b.longValueExact();
        case String s -> Long.parseLong(s.strip());
        case Number n -> new BigDecimal(n.toString()).longValueExact();
        default -> throw wrong(path, key, "an integer");
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw wrong(path, key, "an integer");
    }
  }

  /** A required number (coordinates). */
  public static double number(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      throw missing(path, key, "a number");
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        throw wrong(path, key, "a number");
      }
    }
    throw wrong(path, key, "a number");
  }

  public static boolean flag(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrong(path, key, "true or false");
  }

  /** A Unix time in seconds. */
  public static Instant epochSeconds(JsonObject o, String key, String path) {
    long s = integer(o, key, path);
    if (s < 0 || s > 253402300799L) {
      throw wrong(path, key, "a Unix time in seconds");
    }
    return Instant.ofEpochSecond(s);
  }

  /** A Unix time in milliseconds. */
  public static Instant epochMillis(JsonObject o, String key, String path) {
    long ms = integer(o, key, path);
    if (ms < 0 || ms > 253402300799999L) {
      throw wrong(path, key, "a Unix time in milliseconds");
    }
    return Instant.ofEpochMilli(ms);
  }

  public static String join(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }

  private static MalformedPayloadException missing(String path, String key, String what) {
    return new MalformedPayloadException(join(path, key) + " is required (" + what + ")");
  }

  private static MalformedPayloadException wrong(String path, String key, String what) {
    return new MalformedPayloadException(join(path, key) + " must be " + what);
  }
}

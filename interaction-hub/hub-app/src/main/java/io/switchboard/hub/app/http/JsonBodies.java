package io.switchboard.hub.app.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.switchboard.hub.api.error.ValidationException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Strict reading of JSON request bodies into request records: malformed JSON, duplicate keys, unknown
 * fields and wrong types are 400s naming the field; a record whose constructor refuses the values (a
 * {@link ValidationException}) is a 422 naming the fields. Nothing is coerced ("1" is not a number).
 */
public final class JsonBodies {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .addModule(new JavaTimeModule())
      .build();

  static {
    MAPPER.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    MAPPER.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
  }

  private JsonBodies() {}

  /** Reads the body as {@code type}; throws {@link Problems.BadRequest} or {@link ValidationException}. */
  public static <T> T read(RoutingContext ctx, Class<T> type) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new Problems.BadRequest(415, "unsupported-media-type", "send the body as application/json", null);
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new Problems.BadRequest("a JSON request body is required");
    }
    try {
      byte[] bytes = body.getBytes();
      JsonNode tree;
      try {
        tree = MAPPER.readTree(bytes);
      } catch (StreamReadException e) {
        // Bytes that are not UTF-8 are named by field before Jackson's own complaint.
        if (TextChecks.firstMalformed(bytes) >= 0) {
          TextChecks.checkJson(bytes, null);
        }
        throw e;
      }
      if (tree == null || !tree.isObject()) {
        throw new Problems.BadRequest("the request body must be a JSON object");
      }
      // NUL, lone surrogates and overlong UTF-8 anywhere in the body: 422 naming the field.
      TextChecks.checkJson(bytes, tree);
      if (type.isRecord()) {
        // Report unknown fields first: a record's own checks would otherwise run before Jackson notices them.
        java.util.Set<String> known = new java.util.HashSet<>();
        for (var c : type.getRecordComponents()) {
          known.add(c.getName());
        }
        for (var it = tree.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (!known.contains(name)) {
            throw Problems.BadRequest.field(name, "unknown field");
          }
        }
      }
      return MAPPER.treeToValue(tree, type);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ValidationException v) {
        String prefix = path(e);
        throw prefix.isEmpty() ? v : v.under(prefix);
      }
      throw Problems.BadRequest.field(path(e), cleanMessage(e));
    } catch (UnrecognizedPropertyException e) {
      throw Problems.BadRequest.field(path(e), "unknown field");
    } catch (InvalidFormatException e) {
      throw Problems.BadRequest.field(path(e), "expected " + typeName(e.getTargetType()) + ", got '" + Params.abbreviate(String.valueOf(e.getValue())) + "'");
    } catch (MismatchedInputException e) {
      String target = e.getTargetType() == null ? "value" : typeName(e.getTargetType());
      throw Problems.BadRequest.field(path(e), "expected " + target);
    } catch (StreamReadException e) {
      throw new Problems.BadRequest(400, "malformed-json", "malformed JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), null);
    } catch (JsonMappingException e) {
      throw Problems.BadRequest.field(path(e), cleanMessage(e));
    } catch (IOException e) {
      throw new Problems.BadRequest("the request body could not be read");
    }
  }

  /** Reads the body as a JSON object, for handlers that look at which keys are present (PATCH). */
  public static JsonObject readObject(RoutingContext ctx) {
    JsonNode node = read(ctx, JsonNode.class);
    return new JsonObject(node.toString());
  }

  static JsonArray fieldError(String field, String message) {
    return new JsonArray().add(new JsonObject().put("field", field).put("message", message));
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String typeName(Class<?> t) {
    if (t == String.class) return "a string";
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "a whole number";
    if (t == Double.class || t == double.class) return "a number";
    if (t == Boolean.class || t == boolean.class) return "true or false";
    if (java.util.List.class.isAssignableFrom(t) || t.isArray()) return "an array";
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) return "an object";
    if (t.isEnum()) return "one of the allowed values";
    return "a " + t.getSimpleName();
  }

  private static String cleanMessage(JsonMappingException e) {
    String m = e.getOriginalMessage();
    int nl = m == null ? -1 : m.indexOf('\n');
    return m == null ? "invalid value" : nl > 0 ? m.substring(0, nl) : m;
  }
}

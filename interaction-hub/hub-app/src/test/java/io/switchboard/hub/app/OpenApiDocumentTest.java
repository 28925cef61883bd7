package io.switchboard.hub.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the OpenAPI document the hub serves to the routes the hub actually has: every route is documented,
 * every documented operation is routed, and the document hangs together (responses, references, path
 * parameters, security schemes).
 */
class OpenApiDocumentTest {
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final Pattern COLON_PARAM = Pattern.compile(":([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([^}/]+)}");

  private static TestHub testHub;
  private static JsonNode document;

  @BeforeAll
  static void startHubAndFetchDocument() throws Exception {
    testHub = TestHub.start();
    TestHub.Response r = testHub.get("/api/v1/openapi.yaml", null);
    assertThat(r.status()).as("GET /api/v1/openapi.yaml: %s", r.body()).isEqualTo(200);
    document = new ObjectMapper(new YAMLFactory()).readTree(r.body());
    assertThat(document).as("the served document").isNotNull();
  }

  @AfterAll
  static void stopHub() {
    if (testHub != null) {
      testHub.close();
    }
  }

  @Test
  void servedDocumentIsOpenApi31() {
    assertThat(document.path("openapi").asText()).startsWith("3.1.");
    assertThat(document.path("info").path("title").asText()).isEqualTo("Switchboard");
    assertThat(document.path("paths").isObject()).as("paths is an object").isTrue();
  }

  @Test
  void everyRouteIsDocumented() {
    Set<String> missing = new TreeSet<>(routedOperations());
    missing.removeAll(documentedOperations());
    assertThat(missing).as("routes the OpenAPI document does not describe").isEmpty();
  }

  @Test
  void everyDocumentedOperationExists() {
    Set<String> unrouted = new TreeSet<>(documentedOperations());
    unrouted.removeAll(routedOperations());
    assertThat(unrouted).as("operations in the OpenAPI document that the hub does not route").isEmpty();
  }

  @Test
  void everyOperationHasAResponse() {
    List<String> without = new ArrayList<>();
    forEachOperation((op, node) -> {
      JsonNode responses = node.path("responses");
      if (!responses.isObject() || responses.isEmpty()) {
        without.add(op);
      }
    });
    assertThat(without).as("operations without any response").isEmpty();
  }

  @Test
  void everyReferenceResolvesToAComponent() {
    List<String> broken = new ArrayList<>();
    collectBrokenRefs(document, "", broken);
    assertThat(broken).as("$ref values that do not resolve to a defined component").isEmpty();
  }

  @Test
  void everyPathTemplateParameterIsDeclared() {
    List<String> undeclared = new ArrayList<>();
    document.path("paths").properties().forEach(path -> {
      Set<String> pathLevel = pathParameterNames(path.getValue().path("parameters"));
      path.getValue().properties().forEach(op -> {
        if (!HTTP_METHODS.contains(op.getKey())) {
          return;
        }
        Set<String> declared = new TreeSet<>(pathLevel);
        declared.addAll(pathParameterNames(op.getValue().path("parameters")));
        Matcher m = TEMPLATE_PARAM.matcher(path.getKey());
        while (m.find()) {
          if (!declared.contains(m.group(1))) {
            undeclared.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + ": {" + m.group(1) + "}");
          }
        }
      });
    });
    assertThat(undeclared).as("path template parameters without a parameter declaration").isEmpty();
  }

  @Test
  void everySecurityRequirementNamesADefinedScheme() {
    JsonNode schemes = document.path("components").path("securitySchemes");
    List<String> unknown = new ArrayList<>();
    List<Map.Entry<String, JsonNode>> requirements = new ArrayList<>();
    requirements.add(Map.entry("(document)", document.path("security")));
    forEachOperation((op, node) -> requirements.add(Map.entry(op, node.path("security"))));
    for (var req : requirements) {
      for (JsonNode alternative : req.getValue()) {
        alternative.fieldNames().forEachRemaining(name -> {
          if (!schemes.has(name)) {
            unknown.add(req.getKey() + ": " + name);
          }
        });
      }
    }
    assertThat(unknown).as("security requirements naming undefined schemes").isEmpty();
  }

  /** The hub's routes as "METHOD /path/{param}", limited to the API, /health and /metrics. */
  private static Set<String> routedOperations() {
    Set<String> out = new TreeSet<>();
    for (String route : testHub.hub().routes()) {
      int space = route.indexOf(' ');
      String method = route.substring(0, space);
      String path = route.substring(space + 1);
      if (route.equals("GET /*") || !(path.startsWith("/api/v1/") || path.equals("/health") || path.equals("/metrics"))) {
        continue;
      }
      out.add(method + " " + COLON_PARAM.matcher(path).replaceAll("{$1}"));
    }
    return out;
  }

  /** The document's operations as "METHOD /path/{param}". */
  private static Set<String> documentedOperations() {
    Set<String> out = new TreeSet<>();
    forEachOperation((op, node) -> out.add(op));
    return out;
  }

  private interface OperationVisitor {
    void visit(String operation, JsonNode node);
  }

  private static void forEachOperation(OperationVisitor visitor) {
    document.path("paths").properties().forEach(path ->
        path.getValue().properties().forEach(op -> {
          if (HTTP_METHODS.contains(op.getKey())) {
            visitor.visit(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
          }
        }));
  }

  private static Set<String> pathParameterNames(JsonNode parameters) {
    Set<String> names = new TreeSet<>();
    for (JsonNode p : parameters) {
      JsonNode resolved = p.has("$ref") ? resolve(p.get("$ref").asText()) : p;
      if (resolved != null && "path".equals(resolved.path("in").asText())) {
        names.add(resolved.path("name").asText());
      }
    }
    return names;
  }

  private static void collectBrokenRefs(JsonNode node, String where, List<String> broken) {
    if (node.isObject()) {
      node.properties().forEach(e -> {
        if (e.getKey().equals("$ref")) {
          String ref = e.getValue().asText();
          if (!ref.startsWith("#/components/") || resolve(ref) == null) {
            broken.add(where + ": " + ref);
          }
        } else {
          collectBrokenRefs(e.getValue(), where + "/" + e.getKey(), broken);
        }
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectBrokenRefs(node.get(i), where + "/" + i, broken);
      }
    }
  }

  /** The node a local reference points at, or null. */
  private static JsonNode resolve(String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    JsonNode target = document.at(JsonPointer.compile(ref.substring(1)));
    return target.isMissingNode() ? null : target;
  }
}

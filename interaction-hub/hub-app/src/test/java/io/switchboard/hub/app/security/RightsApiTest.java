package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: merging, unmerging, identities and tier are rights per role, least privilege by default (#11.11)")
class RightsApiTest {

  private static String customer(TestHub hub, String token, String name, String email) {
    var r = hub.post("/api/v1/customers", token, new JsonObject().put("displayName", name)
        .put("identities", new JsonArray().add(new JsonObject().put("kind", "email").put("value", email))).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  @Test
  void byDefaultAgentsMayNotMergeEditIdentitiesOrSetTheTier() {
    try (TestHub hub = TestHub.start()) {
      String agent = bearer(hub.login("alice", "alice-demo-pw"));
      String supervisor = bearer(hub.login("sam", "sam-demo-pw"));
      String a = customer(hub, agent, "Right One", "right.one@example.com");
      String b = customer(hub, agent, "Right Two", "right.two@example.com");
      assertThat(hub.post("/api/v1/customers/" + a + "/merge", agent, new JsonObject().put("mergedCustomerId", b).encode()).status())
          .as("merge by an agent").isEqualTo(403);
      assertThat(hub.post("/api/v1/customers/" + a + "/identities", agent,
          new JsonObject().put("kind", "phone").put("value", "+49 30 5550199").encode()).status()).as("link by an agent").isEqualTo(403);
      assertThat(hub.patch("/api/v1/customers/" + a, agent, new JsonObject().put("version", 1).put("tier", "vip").encode()).status())
          .as("tier by an agent").isEqualTo(403);
      assertThat(hub.post("/api/v1/customers", agent, new JsonObject().put("displayName", "Self Made VIP").put("tier", "vip").encode())
          .status()).as("a new customer with a tier, by an agent").isEqualTo(403);
      assertThat(hub.patch("/api/v1/customers/" + a, agent, new JsonObject().put("version", 1).put("notes", "called twice").encode())
          .status()).as("notes stay open to agents").isEqualTo(200);
      var merged = hub.post("/api/v1/customers/" + a + "/merge", supervisor, new JsonObject().put("mergedCustomerId", b).encode());
      assertThat(merged.status()).as(merged.body()).isEqualTo(201);
      assertThat(hub.post("/api/v1/customer-merges/" + merged.json().getString("id") + "/undo", agent, "{}").status()).isEqualTo(403);
      assertThat(hub.post("/api/v1/customer-merges/" + merged.json().getString("id") + "/undo", supervisor, "{}").status()).isEqualTo(200);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void rightsAreConfiguredPerRole() throws Exception {
    Path dir = TestHub.configWithRules(java.nio.file.Files.readString(TestHub.configDir().resolve("routing.yaml")));
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    Path file = dir.resolve("switchboard.yaml");
    Map<String, Object> root = yaml.readValue(file.toFile(), LinkedHashMap.class);
    Map<String, Object> security = new LinkedHashMap<>((Map<String, Object>) root.getOrDefault("security", Map.of()));
    security.put("rights", Map.of("mergeCustomers", "agent", "unmergeCustomers", "admin"));
    root.put("security", security);
    yaml.writeValue(file.toFile(), root);
    try (TestHub hub = TestHub.startWith(Map.of(), dir)) {
      String agent = bearer(hub.login("alice", "alice-demo-pw"));
      String supervisor = bearer(hub.login("sam", "sam-demo-pw"));
      String admin = bearer(hub.login("ada", "ada-demo-pw"));
      String a = customer(hub, agent, "Conf One", "conf.one@example.com");
      String b = customer(hub, agent, "Conf Two", "conf.two@example.com");
      var merged = hub.post("/api/v1/customers/" + a + "/merge", agent, new JsonObject().put("mergedCustomerId", b).encode());
      assertThat(merged.status()).as(merged.body()).isEqualTo(201);
      String undo = "/api/v1/customer-merges/" + merged.json().getString("id") + "/undo";
      assertThat(hub.post(undo, supervisor, "{}").status()).as("unmerge raised to admins").isEqualTo(403);
      assertThat(hub.post(undo, admin, "{}").status()).isEqualTo(200);
    }
  }
}

package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Walks every operation of the OpenAPI document with every kind of caller (nobody, an agent, a supervisor, an admin,
 * an API key with scope {@code inbound}, one with scope {@code metrics}) and checks each answer against the table
 * below: who may call it. A caller who may not gets 401 (nobody) or 403; a caller who may gets anything else (the
 * placeholder ids and empty bodies make most answers 400, 404 or 422). An operation missing from the table, or a
 * table entry naming no operation, fails the test: a new route needs an explicit decision here.
 */
@DisplayName("security: every OpenAPI operation, every role (authorization matrix)")
class AuthorizationMatrixTest {
  /** Who may call: the least staff role, an API key scope, or nobody needs to authenticate. */
  enum Who {
    PUBLIC, AGENT, SUPERVISOR, ADMIN, KEY_INBOUND, SUPERVISOR_OR_KEY_METRICS,
    /** Supervisors and admins for anyone; an agent for their own id only. */
    SELF_OR_SUPERVISOR
  }

  /** The decision for every operation, by operationId. */
  static final Map<String, Who> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("login", Who.PUBLIC);
    EXPECTED.put("logout", Who.AGENT);
    EXPECTED.put("changeOwnPassword", Who.AGENT);
    EXPECTED.put("me", Who.AGENT);
    EXPECTED.put("postInbound", Who.KEY_INBOUND);
    EXPECTED.put("listCustomers", Who.AGENT);
    EXPECTED.put("createCustomer", Who.AGENT);
    EXPECTED.put("getCustomer", Who.AGENT);
    EXPECTED.put("updateCustomer", Who.AGENT);
    EXPECTED.put("listIdentities", Who.AGENT);
    EXPECTED.put("addIdentity", Who.SUPERVISOR); // security.rights.editIdentities
    EXPECTED.put("removeIdentity", Who.SUPERVISOR); // security.rights.editIdentities
    EXPECTED.put("customerHistory", Who.AGENT);
    EXPECTED.put("listMerges", Who.AGENT);
    EXPECTED.put("mergeCustomer", Who.SUPERVISOR); // security.rights.mergeCustomers
    EXPECTED.put("undoMerge", Who.SUPERVISOR); // security.rights.unmergeCustomers
    EXPECTED.put("listInteractions", Who.AGENT);
    EXPECTED.put("getInteraction", Who.AGENT);
    EXPECTED.put("uploadAttachment", Who.AGENT);
    EXPECTED.put("downloadAttachment", Who.AGENT);
    EXPECTED.put("writeMessage", Who.AGENT);
    EXPECTED.put("acceptOffer", Who.AGENT);
    EXPECTED.put("declineOffer", Who.AGENT);
    EXPECTED.put("endInteraction", Who.AGENT);
    EXPECTED.put("wrapUpInteraction", Who.AGENT);
    EXPECTED.put("abandonInteraction", Who.KEY_INBOUND);
    EXPECTED.put("explainRouting", Who.SUPERVISOR);
    EXPECTED.put("transferInteraction", Who.AGENT);
    EXPECTED.put("moveInteraction", Who.SUPERVISOR);
    EXPECTED.put("consoleSettings", Who.AGENT);
    EXPECTED.put("reloadConsoleSettings", Who.ADMIN);
    EXPECTED.put("consoleSettingsStatus", Who.ADMIN);
    EXPECTED.put("listAgents", Who.SUPERVISOR);
    EXPECTED.put("createAgent", Who.ADMIN);
    EXPECTED.put("getAgent", Who.SELF_OR_SUPERVISOR);
    EXPECTED.put("disableAgent", Who.ADMIN);
    EXPECTED.put("enableAgent", Who.ADMIN);
    EXPECTED.put("resetAgentPassword", Who.ADMIN);
    EXPECTED.put("changeAgentRole", Who.ADMIN);
    EXPECTED.put("revokeAgentSessions", Who.ADMIN);
    EXPECTED.put("getAgentState", Who.SELF_OR_SUPERVISOR);
    EXPECTED.put("getAgentQueues", Who.SUPERVISOR);
    EXPECTED.put("setAgentQueues", Who.ADMIN);
    EXPECTED.put("listQueueMembers", Who.SUPERVISOR);
    EXPECTED.put("setAgentState", Who.AGENT);
    EXPECTED.put("agentHeartbeat", Who.AGENT);
    EXPECTED.put("listMyOffers", Who.AGENT);
    EXPECTED.put("listQueues", Who.AGENT);
    EXPECTED.put("agentDirectory", Who.AGENT);
    EXPECTED.put("listQuarantine", Who.SUPERVISOR);
    EXPECTED.put("downloadQuarantined", Who.SUPERVISOR);
    EXPECTED.put("dismissQuarantined", Who.SUPERVISOR);
    EXPECTED.put("getDashboard", Who.SUPERVISOR);
    EXPECTED.put("getRoutingRules", Who.SUPERVISOR);
    EXPECTED.put("uploadRoutingRules", Who.ADMIN);
    EXPECTED.put("listRoutingRuleVersions", Who.SUPERVISOR);
    EXPECTED.put("getRoutingRuleVersion", Who.SUPERVISOR);
    EXPECTED.put("diffRoutingRules", Who.SUPERVISOR);
    EXPECTED.put("reloadRoutingRules", Who.ADMIN);
    EXPECTED.put("rollbackRoutingRules", Who.ADMIN);
    EXPECTED.put("rebuildRoutingState", Who.ADMIN);
    EXPECTED.put("validateRoutingRulesDraft", Who.ADMIN);
    EXPECTED.put("simulateRoutingRulesDraft", Who.ADMIN);
    EXPECTED.put("getConsoleSettingsSource", Who.ADMIN);
    EXPECTED.put("putConsoleSettingsSource", Who.ADMIN);
    EXPECTED.put("setAgentProfile", Who.ADMIN);
    EXPECTED.put("listApiKeys", Who.ADMIN);
    EXPECTED.put("createApiKey", Who.ADMIN);
    EXPECTED.put("revokeApiKey", Who.ADMIN);
    EXPECTED.put("listAudit", Who.ADMIN);
    EXPECTED.put("getAgentPhone", Who.SELF_OR_SUPERVISOR);
    EXPECTED.put("setAgentPhone", Who.SUPERVISOR);
    EXPECTED.put("getQueueReport", Who.SUPERVISOR);
    EXPECTED.put("getAgentReport", Who.AGENT); // an agent's own row only
    EXPECTED.put("getChannelReport", Who.SUPERVISOR);
    EXPECTED.put("rebuildReports", Who.ADMIN);
    EXPECTED.put("listWebhooks", Who.ADMIN);
    EXPECTED.put("createWebhook", Who.ADMIN);
    EXPECTED.put("getWebhook", Who.ADMIN);
    EXPECTED.put("deleteWebhook", Who.ADMIN);
    EXPECTED.put("enableWebhook", Who.ADMIN);
    EXPECTED.put("pingWebhook", Who.ADMIN);
    EXPECTED.put("listWebhookDeliveries", Who.ADMIN);
    EXPECTED.put("hangUpCall", Who.AGENT); // the agent working the call, or a supervisor
    EXPECTED.put("holdCall", Who.AGENT); // the agent working the call, or a supervisor
    EXPECTED.put("resumeCall", Who.AGENT); // the agent working the call, or a supervisor
    EXPECTED.put("listenToCall", Who.SUPERVISOR); // rings the supervisor's own phone
    EXPECTED.put("whisperToCall", Who.SUPERVISOR);
    EXPECTED.put("bargeIntoCall", Who.SUPERVISOR);
    EXPECTED.put("searchConversations", Who.AGENT); // results limited by the work visibility rule
    EXPECTED.put("getCustomerKpis", Who.AGENT);
    EXPECTED.put("answerSurvey", Who.PUBLIC); // the signed survey link is the credential
    EXPECTED.put("openApiDocument", Who.PUBLIC);
    EXPECTED.put("health", Who.PUBLIC);
    EXPECTED.put("metrics", Who.SUPERVISOR_OR_KEY_METRICS);
  }

  /** The callers. */
  enum Caller {
    NOBODY, AGENT, SUPERVISOR, ADMIN, KEY_INBOUND, KEY_METRICS
  }

  record Operation(String id, String method, String path) {}

  private static TestHub hub;
  private static final Map<Caller, String> credentials = new LinkedHashMap<>();
  private static final List<Operation> operations = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    hub = TestHub.start();
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    credentials.put(Caller.AGENT, bearer(hub.login("alice", "alice-demo-pw")));
    credentials.put(Caller.SUPERVISOR, bearer(hub.login("sam", "sam-demo-pw")));
    credentials.put(Caller.ADMIN, admin);
    var metrics = hub.post("/api/v1/api-keys", admin,
        new JsonObject().put("name", "matrix-metrics").put("scopes", new JsonArray().add("metrics")).encode());
    assertThat(metrics.status()).as(metrics.body()).isEqualTo(201);
    credentials.put(Caller.KEY_METRICS, apiKey(metrics.json().getString("secret")));
    var inbound = hub.post("/api/v1/api-keys", admin,
        new JsonObject().put("name", "matrix-inbound").put("scopes", new JsonArray().add("inbound")).encode());
    credentials.put(Caller.KEY_INBOUND, apiKey(inbound.json().getString("secret")));

    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(hub.get("/api/v1/openapi.yaml", null).body());
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
      var path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        var op = ops.next();
        if (Set.of("get", "post", "put", "patch", "delete").contains(op.getKey())) {
          operations.add(new Operation(op.getValue().get("operationId").asText(), op.getKey().toUpperCase(), path.getKey()));
        }
      }
    }
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void everyOperationHasAnExplicitExpectation() {
    Set<String> documented = new TreeSet<>();
    operations.forEach(o -> documented.add(o.id()));
    assertThat(new TreeSet<>(EXPECTED.keySet()))
        .as("operations of openapi/switchboard.yaml without a decision in AuthorizationMatrixTest.EXPECTED, or the reverse")
        .isEqualTo(documented);
  }

  @Test
  void everyRoleGetsExactlyWhatTheTableAllows() {
    List<String> wrong = new ArrayList<>();
    for (Operation op : operations) {
      Who who = EXPECTED.get(op.id());
      if (who == null) {
        continue; // reported by the other test
      }
      for (Caller caller : Caller.values()) {
        if (op.id().equals("logout") || op.id().equals("changeOwnPassword")) {
          // Their effects (ending the session) must not spoil the callers' tokens for the other operations.
          if (caller != Caller.NOBODY && !caller.name().startsWith("KEY")) {
            continue;
          }
        }
        int status = call(op, credentials.get(caller));
        boolean allowed = allowed(who, caller);
        boolean refused = status == 401 || status == 403;
        if (allowed == refused || (!allowed && caller == Caller.NOBODY && who != Who.PUBLIC && status != 401)) {
          wrong.add(op.method() + " " + op.path() + " (" + op.id() + ") as " + caller + ": " + status
              + (allowed ? " but may call it" : " but may not"));
        }
      }
    }
    // Operations on an agent's own record: the agent may, with their own id.
    String agentId = hub.get("/api/v1/auth/me", credentials.get(Caller.AGENT)).json().getString("id");
    for (Operation op : operations) {
      if (EXPECTED.get(op.id()) == Who.SELF_OR_SUPERVISOR) {
        int status = call(new Operation(op.id(), op.method(), op.path().replaceAll("\\{id}", agentId)), credentials.get(Caller.AGENT));
        if (status == 401 || status == 403) {
          wrong.add(op.method() + " " + op.path() + " (" + op.id() + ") as AGENT on their own id: " + status);
        }
      }
    }
    // logout and changeOwnPassword for each staff role, on fresh sessions.
    for (String[] user : new String[][] {{"alice", "alice-demo-pw"}, {"sam", "sam-demo-pw"}, {"ada", "ada-demo-pw"}}) {
      String token = bearer(hub.login(user[0], user[1]));
      int change = hub.post("/api/v1/auth/password", token, "{}").status();
      if (change == 401 || change == 403) {
        wrong.add("POST /api/v1/auth/password as " + user[0] + ": " + change);
      }
      int out = hub.post("/api/v1/auth/logout", token, "").status();
      if (out != 204) {
        wrong.add("POST /api/v1/auth/logout as " + user[0] + ": " + out);
      }
    }
    assertThat(wrong).as("answers that do not match the authorization table").isEmpty();
  }

  private static boolean allowed(Who who, Caller caller) {
    return switch (who) {
      case PUBLIC -> true;
      case AGENT -> caller == Caller.AGENT || caller == Caller.SUPERVISOR || caller == Caller.ADMIN;
      case SUPERVISOR -> caller == Caller.SUPERVISOR || caller == Caller.ADMIN;
      case ADMIN -> caller == Caller.ADMIN;
      case KEY_INBOUND -> caller == Caller.KEY_INBOUND;
      case SUPERVISOR_OR_KEY_METRICS -> caller == Caller.SUPERVISOR || caller == Caller.ADMIN || caller == Caller.KEY_METRICS;
      case SELF_OR_SUPERVISOR -> caller == Caller.SUPERVISOR || caller == Caller.ADMIN;
    };
  }

  /** Calls with placeholder path parameters and an empty JSON object (or no body). */
  private static int call(Operation op, String authorization) {
    String path = op.path().replaceAll("\\{version}", "999").replaceAll("\\{[^}]+}", "00000000-0000-4000-8000-000000000000");
    HttpRequest.Builder b = hub.builder(path, authorization);
    boolean body = op.method().equals("POST") || op.method().equals("PUT") || op.method().equals("PATCH");
    if (body) {
      b.header("Content-Type", "application/json").method(op.method(), HttpRequest.BodyPublishers.ofString("{}"));
    } else {
      b.method(op.method(), HttpRequest.BodyPublishers.noBody());
    }
    return hub.send(b).status();
  }
}

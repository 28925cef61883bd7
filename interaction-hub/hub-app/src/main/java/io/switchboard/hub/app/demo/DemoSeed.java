package io.switchboard.hub.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.app.config.ConfigException;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.agent.AgentService;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.auth.Scopes;
import io.switchboard.hub.core.customer.CustomerDraft;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.scheduling.OneTimeJobs;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo seed in config/demo: staff with skills, a few hundred customers with identities, and the
 * demo inbound API key. Runs on a database's first start only (a marker records it); each part skips what
 * already exists, so a seed interrupted half-way completes on the next start.
 */
public final class DemoSeed {
  private static final Logger log = LoggerFactory.getLogger(DemoSeed.class);
  private static final String MARKER = "demo-seed-v1";
  private static final Principal SEED = new Principal.System("demo-seed");

  private final Path dir;
  private final OneTimeJobs jobs;
  private final AgentService agents;
  private final CustomerService customers;
  private final AuthService auth;
  private final String apiKey;

  public DemoSeed(Path dir, Stores stores, AgentService agents, CustomerService customers, AuthService auth, String apiKey) {
    this.dir = dir;
    this.jobs = new OneTimeJobs(stores);
    this.agents = agents;
    this.customers = customers;
    this.auth = auth;
    this.apiKey = apiKey;
  }

  /** Seeds unless this database was seeded before. Files are read (and checked) first, so a bad file changes nothing. */
  public Future<Void> runOnce() {
    Seed seed;
    try {
      seed = read();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    return jobs.done(MARKER).compose(seen -> {
      if (seen) {
        log.info("demo seed already applied; skipping");
        return Future.succeededFuture();
      }
      return staff(seed.staff(), seed.phones(), 0)
          .compose(x -> people(seed.customers(), 0, new int[1]))
          .compose(x -> key())
          .compose(x -> jobs.markDone(MARKER))
          .<Void>mapEmpty()
          .onSuccess(x -> log.atInfo().addKeyValue("staff", seed.staff().size())
              .addKeyValue("customers", seed.customers().size()).log("demo seed applied"));
    });
  }

  private record Seed(List<AgentDraft> staff, Map<String, String> phones, List<CustomerDraft> customers) {}

  private Seed read() {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Path agentsFile = dir.resolve("agents.yaml");
    Path customersFile = dir.resolve("customers.csv");
    List<AgentDraft> staff = new ArrayList<>();
    Map<String, String> phones = new LinkedHashMap<>();
    JsonNode a = tree(yaml, agentsFile).path("agents");
    for (int i = 0; i < a.size(); i++) {
      JsonNode n = a.get(i);
      String where = agentsFile + ": agents[" + i + "]";
      Map<String, Integer> skills = new LinkedHashMap<>();
      n.path("skills").fields().forEachRemaining(e -> skills.put(e.getKey(), e.getValue().asInt()));
      Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
      n.path("capacity").fields().forEachRemaining(e -> capacity.put(Channel.fromWire(e.getKey()), e.getValue().asInt()));
      try {
        staff.add(new AgentDraft(required(n, "username", where), required(n, "displayName", where),
            Role.fromWire(required(n, "role", where)), required(n, "password", where), skills, capacity));
        if (n.hasNonNull("phone")) {
          phones.put(n.path("username").asText(), n.path("phone").asText());
        }
      } catch (RuntimeException e) {
        throw new ConfigException(where + ": " + e.getMessage(), e);
      }
    }
    List<CustomerDraft> people = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(customersFile);
    } catch (IOException e) {
      throw new ConfigException(customersFile + ": cannot be read: " + e.getMessage(), e);
    }
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != 6) {
        throw new ConfigException(customersFile + ": line " + (i + 1) + ": expected 6 columns (displayName,tier,language,phone,email,telegram)");
      }
      List<SenderAddress> ids = new ArrayList<>();
      if (!f[3].isBlank()) ids.add(SenderAddress.phone(f[3]));
      if (!f[4].isBlank()) ids.add(SenderAddress.email(f[4]));
      if (!f[5].isBlank()) ids.add(SenderAddress.handle("telegram", f[5]));
      try {
        people.add(new CustomerDraft(f[0], blankToNull(f[1]), blankToNull(f[2]), Map.of(), null, ids));
      } catch (RuntimeException e) {
        throw new ConfigException(customersFile + ": line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new Seed(staff, phones, people);
  }

  private Future<Void> staff(List<AgentDraft> drafts, Map<String, String> phones, int i) {
    if (i == drafts.size()) {
      return Future.succeededFuture();
    }
    String phone = phones.get(drafts.get(i).username());
    return agents.create(SEED, drafts.get(i))
        .compose(created -> phone == null ? Future.<Void>succeededFuture()
            : agents.setPhoneEndpoint(SEED, created.id(), phone))
        .recover(e -> e instanceof ConflictException ? Future.succeededFuture() : Future.failedFuture(e))
        .compose(x -> staff(drafts, phones, i + 1));
  }

  private Future<Void> people(List<CustomerDraft> drafts, int i, int[] skipped) {
    if (i == drafts.size()) {
      return Future.succeededFuture();
    }
    return customers.create(SEED, drafts.get(i))
        .<Void>mapEmpty()
        .recover(e -> e instanceof ConflictException ? Future.succeededFuture() : Future.failedFuture(e))
        .compose(x -> people(drafts, i + 1, skipped));
  }

  private Future<Void> key() {
    if (apiKey == null || apiKey.isBlank()) {
      log.info("no demo API key configured (demo.apiKey / SWITCHBOARD_DEMO_API_KEY); create one with POST /api/v1/api-keys");
      return Future.succeededFuture();
    }
    return auth.apiKeys().create(SEED, "demo-inbound", Set.of(Scopes.INBOUND, Scopes.METRICS), apiKey)
        .<Void>mapEmpty()
        .recover(e -> e instanceof ConflictException ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private static JsonNode tree(ObjectMapper yaml, Path file) {
    try {
      JsonNode n = yaml.readTree(Files.readString(file));
      if (n == null || !n.isObject()) {
        throw new ConfigException(file + ": must be a mapping");
      }
      return n;
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  private static String required(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      throw new ConfigException(where + ": '" + key + "' is required");
    }
    return v.asText();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}

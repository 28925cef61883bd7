package io.switchboard.hub.core.dashboard;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.staffing.ErlangC;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's numbers against a hand-computed fixture: interactions with known timestamps in PostgreSQL,
 * waiting interactions and agents in Redis, a fixed clock, and a business calendar in Tokyo (so "today"
 * starts at 15:00 UTC the day before).
 */
class DashboardServiceTest {
  static final String RULES = """
      skills: [billing]
      calendars:
        office: { zone: Asia/Tokyo, hours: { mon-fri: "09:00-17:00" } }
      queues:
        - id: billing
          name: Billing
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 15m
        - id: quiet
          name: Quiet
          serviceLevel: { percent: 90, within: 10s }
          maxWait: 5m
      rules:
        - name: default
          queue: billing
      """;

  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final Instant DAY_START = Instant.parse("2026-11-22T15:00:00Z");

  static CoreFixture fx;
  static RoutingState live;
  static DashboardSnapshot snapshot;
  static String waitingOldest;
  static RulesService rules;
  static final UUID alice = UUID.randomUUID();
  static final UUID bruno = UUID.randomUUID();
  static final UUID carla = UUID.randomUUID();
  static final UUID dario = UUID.randomUUID();
  static final UUID erin = UUID.randomUUID();

  @BeforeAll
  static void fixture(@TempDir Path dir) throws Exception {
    fx = CoreFixture.start();
    live = new RoutingState(fx.redis);
    Path rulesFile = dir.resolve("routing.yaml");
    Files.writeString(rulesFile, RULES);
    rules = new RulesService(fx.vertx, fx.stores, rulesFile);
    await(rules.start());

    for (UUID a : List.of(alice, bruno, carla, dario, erin)) {
      String name = "dash-" + a.toString().substring(0, 8);
      sql("INSERT INTO agents (id, username, display_name, role, password_hash) VALUES ($1, $2, $3, 'agent', 'x')",
          a, name, "Agent " + name);
    }
    agent(alice, "available", null, true, List.of());
    agent(bruno, "break", "lunch", true, List.of());
    agent(carla, "offline", null, true, List.of());
    agent(dario, "available", null, false, List.of());
    agent(erin, "available", null, true, List.of("quiet"));

    Duration s = Duration.ofSeconds(1);
    // 1: chat answered in 10 s, talked 300 s, wrapped up 60 s later (handle 360 s).
    Instant q1 = NOW.minus(Duration.ofHours(3));
    interaction("billing", "chat", "ended", q1, q1.plusSeconds(10), q1.plusSeconds(310), q1.plusSeconds(370), null);
    // 2: email answered late (50 s), ended without wrap-up 120 s later.
    Instant q2 = NOW.minus(Duration.ofHours(2));
    interaction("billing", "email", "ended", q2, q2.plusSeconds(50), null, q2.plusSeconds(170), null);
    // 3: abandoned after the target (40 s); 4: abandoned within it (5 s).
    Instant q3 = NOW.minus(Duration.ofHours(1));
    interaction("billing", "chat", "abandoned", q3, null, null, q3.plusSeconds(40), null);
    interaction("billing", "chat", "abandoned", q3, null, null, q3.plusSeconds(5), null);
    // 5: all of it yesterday (before midnight in Tokyo).
    Instant q5 = DAY_START.minus(Duration.ofHours(1));
    interaction("billing", "chat", "ended", q5, q5.plusSeconds(5), null, DAY_START.minusMillis(1), null);
    // 6: queued exactly at midnight, answered in 20 s, still assigned to alice.
    interaction("billing", "chat", "assigned", DAY_START, DAY_START.plusSeconds(20), null, null, alice);
    // 7: in the window: answered in 15 s, wrap-up at −12 min, ended at −10 min.
    Instant q7 = NOW.minus(Duration.ofMinutes(20));
    interaction("billing", "chat", "ended", q7, q7.plusSeconds(15), NOW.minus(Duration.ofMinutes(12)),
        NOW.minus(Duration.ofMinutes(10)), null);
    // 8: voice queued exactly at the window's start, answered exactly at the target (30 s), assigned to alice.
    Instant q8 = NOW.minus(Duration.ofMinutes(30));
    interaction("billing", "voice", "assigned", q8, q8.plusSeconds(30), null, null, alice);
    // 9: queued 1 s before the window, answered in it after 61 s.
    Instant q9 = NOW.minus(Duration.ofMinutes(30)).minus(s);
    interaction("billing", "chat", "assigned", q9, q9.plusSeconds(61), null, null, bruno);
    // 11, 12: waiting now (45 s and 10 s).
    waitingOldest = interaction("billing", "chat", "queued", NOW.minusSeconds(45), null, null, null, null).toString();
    String younger = interaction("billing", "chat", "queued", NOW.minusSeconds(10), null, null, null, null).toString();
    JsonObject item = new JsonObject().put("channel", "chat").put("classification", new JsonObject().put("queue", "billing"));
    await(live.enqueue(younger, item.copy(), NOW.minusSeconds(10)));
    await(live.enqueue(waitingOldest, item.copy(), NOW.minusSeconds(45)));

    DashboardService service = new DashboardService(fx.stores, live, rules, Clock.fixed(NOW, ZoneOffset.UTC));
    snapshot = await(service.compute());
  }

  @AfterAll
  static void close() {
    fx.close();
  }

  static void sql(String sql, Object... params) {
    await(fx.db.pool().preparedQuery(sql).execute(Tuple.from(params)));
  }

  static void agent(UUID id, String state, String reason, boolean present, List<String> queues) {
    await(live.putAgent(new RoutingState.AgentLive(id.toString(), state, reason, NOW.minusSeconds(90), present,
        NOW.minusSeconds(90), Map.of("billing", 3), queues, Map.of("chat", 3, "voice", 1), Map.of("chat", 1), List.of("voice")), true));
  }

  static UUID interaction(String queue, String channel, String state, Instant queued, Instant answered, Instant wrapUp,
      Instant ended, UUID agent) {
    UUID customer = UUID.randomUUID();
    UUID conversation = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'Dash Customer')", customer);
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, $3)", conversation, customer, channel);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id,"
            + " created_at, queued_at, answered_at, wrap_up_at, ended_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12)",
        id, conversation, customer, channel, "dash-" + id, state, queue, agent, odt(queued), odt(answered), odt(wrapUp),
        odt(ended));
    return id;
  }

  static OffsetDateTime odt(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  static DashboardSnapshot.QueueFigures queue(String id) {
    return snapshot.queues().stream().filter(q -> q.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("Today starts at midnight in the zone of the rules' business calendar")
  void todayStartsAtMidnightInTheCalendarsZone() {
    assertThat(snapshot.zone().getId()).isEqualTo("Asia/Tokyo");
    assertThat(snapshot.dayStart()).isEqualTo(DAY_START);
    assertThat(snapshot.at()).isEqualTo(NOW);
  }

  @Test
  @DisplayName("Today's counts, service level, ASA, abandon rate and handle times match the hand-computed values")
  void todaysFiguresMatchTheHandComputedValues() {
    DashboardSnapshot.PeriodFigures d = queue("billing").today();
    // 1, 2, 3, 4, 6, 7, 8, 9 and the two waiting ones; 5 was yesterday.
    assertThat(d.offered()).isEqualTo(10);
    assertThat(d.answered()).isEqualTo(6);
    assertThat(d.answeredInTarget()).isEqualTo(4); // 10 s, 20 s, 15 s and exactly 30 s
    assertThat(d.abandoned()).isEqualTo(2);
    assertThat(d.abandonedLate()).isEqualTo(1);
    assertThat(d.serviceLevel()).isCloseTo(100.0 * 4 / 7, within(1e-9));
    assertThat(d.abandonRate()).isCloseTo(25.0, within(1e-9));
    assertThat(d.asaMs()).isEqualTo((10 + 50 + 20 + 15 + 30 + 61) * 1000L / 6);
    assertThat(d.handled()).isEqualTo(3);
    assertThat(d.ahtMs()).isEqualTo((370 - 10 + 120 + 585) * 1000L / 3);
    assertThat(d.talkMs()).isEqualTo((300 + 120 + 465) * 1000L / 3);
    assertThat(queue("billing").handledByChannel()).containsExactlyInAnyOrderEntriesOf(Map.of("chat", 4L, "email", 1L, "voice", 1L));
  }

  @Test
  @DisplayName("The 30-minute window includes its first instant and leaves out what came a second earlier")
  void theWindowHasExactEdges() {
    DashboardSnapshot.PeriodFigures w = queue("billing").window();
    assertThat(w.offered()).isEqualTo(4); // 7, 8 (exactly at the start) and the two waiting; not 9
    assertThat(w.answered()).isEqualTo(3); // 7, 8, 9 (queued before the window, answered in it)
    assertThat(w.answeredInTarget()).isEqualTo(2);
    assertThat(w.abandoned()).isZero();
    assertThat(w.serviceLevel()).isCloseTo(100.0 * 2 / 3, within(1e-9));
    assertThat(w.abandonRate()).isEqualTo(0.0);
    assertThat(w.asaMs()).isEqualTo(Math.round((15 + 30 + 61) * 1000.0 / 3));
    assertThat(w.handled()).isEqualTo(1);
    assertThat(w.ahtMs()).isEqualTo(585_000L);
    assertThat(w.talkMs()).isEqualTo(465_000L);
  }

  @Test
  @DisplayName("Waiting, the longest wait and the oldest waiting interaction come from live state")
  void waitingComesFromLiveState() {
    DashboardSnapshot.QueueFigures q = queue("billing");
    assertThat(q.waiting()).isEqualTo(2);
    assertThat(q.longestWaitMs()).isEqualTo(45_000L);
    assertThat(q.oldestInteractionId()).isEqualTo(waitingOldest);
    assertThat(snapshot.totals().waiting()).isEqualTo(2);
  }

  @Test
  @DisplayName("A waiting item in Redis that cannot be read is left out; the dashboard is computed for everything else")
  void anUnreadableWaitingItemDoesNotStopTheDashboard() {
    String garbled = UUID.randomUUID().toString();
    String oddClassification = UUID.randomUUID().toString();
    await(live.enqueue(garbled, new JsonObject().put("channel", "chat"), NOW.minusSeconds(300)));
    await(fx.redis.call(fx.redis.async().set(fx.redis.key("rt:w:" + garbled), "{\"channel\":\u0000")));
    await(live.enqueue(oddClassification, new JsonObject().put("channel", "chat").put("classification", "billing"),
        NOW.minusSeconds(200)));
    try {
      DashboardSnapshot s = await(new DashboardService(fx.stores, live, rules, Clock.fixed(NOW, ZoneOffset.UTC)).compute());
      DashboardSnapshot.QueueFigures q = s.queues().stream().filter(x -> x.id().equals("billing")).findFirst().orElseThrow();
      assertThat(q.waiting()).isEqualTo(2);
      assertThat(q.oldestInteractionId()).isEqualTo(waitingOldest);
      assertThat(s.totals().waiting()).isEqualTo(2);
    } finally {
      await(live.dequeue(garbled));
      await(live.dequeue(oddClassification));
    }
  }

  @Test
  @DisplayName("Staffing uses the window's arrivals and handle time with Erlang C and the queue's target")
  void staffingMatchesErlangC() {
    DashboardSnapshot.Staffing st = queue("billing").staffing();
    assertThat(st.arrivalsPerHour()).isCloseTo(8.0, within(1e-9)); // 4 in 30 minutes
    assertThat(st.ahtSeconds()).isCloseTo(585.0, within(1e-9));
    assertThat(st.ahtSource()).isEqualTo("window");
    assertThat(st.erlangs()).isCloseTo(8.0 * 585 / 3600, within(1e-9));
    int slots = ErlangC.agentsNeeded(8.0, Duration.ofSeconds(585), 0.8, Duration.ofSeconds(30));
    assertThat(st.slotsNeeded()).isEqualTo(slots).isPositive();
    // The window's work: 3 chats and 1 call, each weighed with 585 s. The serving agents hold 3 chats at once
    // and calls alone (voice is exclusive): Σw / Σ(w/cap) = 4 / (3/3 + 1/1) = 2 contacts per agent.
    assertThat(st.concurrency()).isCloseTo(2.0, within(1e-9));
    int needed = (int) Math.ceil(slots / 2.0);
    assertThat(st.agentsNeeded()).isEqualTo(needed).isPositive();
    // alice (available) and bruno (break) are present and not offline; carla is offline, dario not present,
    // erin serves only "quiet".
    assertThat(st.staffed()).isEqualTo(2);
    assertThat(st.available()).isEqualTo(1);
    assertThat(st.gap()).isEqualTo(2 - needed);
    assertThat(queue("quiet").staffing().staffed()).isEqualTo(3);
  }

  @Test
  @DisplayName("A queue without traffic has zero counts, null rates (never NaN) and needs no agents")
  void aQueueWithoutTrafficHasNullsNotNaN() {
    DashboardSnapshot.QueueFigures q = queue("quiet");
    for (DashboardSnapshot.PeriodFigures p : List.of(q.today(), q.window())) {
      assertThat(p.offered()).isZero();
      assertThat(p.serviceLevel()).isNull();
      assertThat(p.asaMs()).isNull();
      assertThat(p.abandonRate()).isNull();
      assertThat(p.ahtMs()).isNull();
    }
    assertThat(q.waiting()).isZero();
    assertThat(q.oldestInteractionId()).isNull();
    assertThat(q.handledByChannel()).isEmpty();
    assertThat(q.staffing().agentsNeeded()).isZero();
    assertThat(q.staffing().erlangs()).isZero();
    assertThat(q.staffing().ahtSource()).isEqualTo("default");
    JsonObject json = snapshot.toJson();
    String encoded = json.encode();
    assertThat(encoded).doesNotContain("NaN").doesNotContain("Infinity");
    JsonObject quiet = json.getJsonArray("queues").getJsonObject(1);
    assertThat(quiet.getString("id")).isEqualTo("quiet");
    assertThat(quiet.getJsonObject("today").containsKey("serviceLevel")).isTrue();
    assertThat(quiet.getJsonObject("today").getValue("serviceLevel")).isNull();
  }

  @Test
  @DisplayName("Agents carry their directory entry, live state, time in state and assigned work; totals count states, absent apart")
  void agentsAndTotals() {
    assertThat(snapshot.agents()).hasSize(5);
    DashboardSnapshot.AgentFigures a = snapshot.agents().stream().filter(x -> x.id().equals(alice.toString())).findFirst().orElseThrow();
    assertThat(a.username()).startsWith("dash-");
    assertThat(a.displayName()).startsWith("Agent dash-");
    assertThat(a.role()).isEqualTo("agent");
    assertThat(a.state()).isEqualTo("available");
    assertThat(a.timeInStateMs()).isEqualTo(90_000L);
    assertThat(a.present()).isTrue();
    assertThat(a.assigned()).isEqualTo(2);
    assertThat(a.capacity()).containsEntry("chat", 3);
    assertThat(a.load()).containsEntry("chat", 1);
    assertThat(snapshot.totals().byState()).containsExactlyEntriesOf(new java.util.LinkedHashMap<>(Map.of()) {{
      put("available", 2); put("busy", 0); put("after_call_work", 0); put("break", 1); put("offline", 1);
    }});
    assertThat(snapshot.totals().present()).isEqualTo(4);
    // dario is "available" with no console: absent, not counted available (issue #10 item 6).
    assertThat(snapshot.totals().absent()).isEqualTo(1);
  }

  @Test
  @DisplayName("Staffing falls back to today's handle time, then to the default, and needs nobody without arrivals")
  void staffingFallbacks() {
    var today = StaffingModel.estimate(6, Duration.ofMinutes(30), null, 200_000L, 80, Duration.ofSeconds(20), 4, 2, 1.0);
    assertThat(today.ahtSource()).isEqualTo("today");
    assertThat(today.agentsNeeded()).isEqualTo(ErlangC.agentsNeeded(12, Duration.ofSeconds(200), 0.8, Duration.ofSeconds(20)));
    var fallback = StaffingModel.estimate(6, Duration.ofMinutes(30), null, null, 80, Duration.ofSeconds(20), 0, 0, 1.0);
    assertThat(fallback.ahtSource()).isEqualTo("default");
    assertThat(fallback.ahtSeconds()).isEqualTo(300.0);
    var none = StaffingModel.estimate(0, Duration.ofMinutes(30), null, null, 80, Duration.ofSeconds(20), 3, 3, 1.0);
    assertThat(none.agentsNeeded()).isZero();
    assertThat(none.gap()).isEqualTo(3);
    // A 100 % target cannot be met by Erlang C; it is read as 99.9 % instead of failing.
    var full = StaffingModel.estimate(10, Duration.ofMinutes(30), 120_000L, null, 100, Duration.ofSeconds(20), 0, 0, 1.0);
    assertThat(full.agentsNeeded()).isEqualTo(ErlangC.agentsNeeded(20, Duration.ofSeconds(120), 0.999, Duration.ofSeconds(20)));
  }

  @Test
  @DisplayName("Concurrency is the workload-weighted harmonic mean of the channels' capacities")
  void concurrencyWeighsTheChannelsByWorkload() {
    assertThat(StaffingModel.concurrency(Map.of("voice", 10.0), Map.of("voice", 1.0))).isEqualTo(1.0);
    assertThat(StaffingModel.concurrency(Map.of("chat", 10.0), Map.of("chat", 3.0))).isCloseTo(3.0, within(1e-9));
    // Half the work on chat (3 at once), half on email (5 at once): 1 / (0.5/3 + 0.5/5) = 3.75.
    assertThat(StaffingModel.concurrency(Map.of("chat", 6.0, "email", 6.0), Map.of("chat", 3.0, "email", 5.0)))
        .isCloseTo(3.75, within(1e-9));
    // Unknown or nonsensical capacities count as 1; channels without work, or with bad figures, are left out.
    assertThat(StaffingModel.concurrency(Map.of("social", 5.0), Map.of())).isEqualTo(1.0);
    assertThat(StaffingModel.concurrency(Map.of("chat", 5.0), Map.of("chat", 0.0))).isEqualTo(1.0);
    assertThat(StaffingModel.concurrency(Map.of("chat", 5.0, "voice", 0.0), Map.of("chat", 2.0, "voice", 1.0)))
        .isCloseTo(2.0, within(1e-9));
    assertThat(StaffingModel.concurrency(Map.of("chat", Double.NaN, "email", -3.0), Map.of("chat", 3.0))).isEqualTo(1.0);
    assertThat(StaffingModel.concurrency(Map.of(), Map.of("chat", 3.0))).isEqualTo(1.0);

    // 20 chats an hour at 120 s: Erlang C's slots, shared by agents who hold 3 chats each.
    var chat = StaffingModel.estimate(10, Duration.ofMinutes(30), 120_000L, null, 80, Duration.ofSeconds(20), 1, 1, 3.0);
    int slots = ErlangC.agentsNeeded(20, Duration.ofSeconds(120), 0.8, Duration.ofSeconds(20));
    assertThat(chat.slotsNeeded()).isEqualTo(slots);
    assertThat(chat.agentsNeeded()).isEqualTo((int) Math.ceil(slots / 3.0));
    assertThat(chat.gap()).isEqualTo(1 - chat.agentsNeeded());
    // A concurrency below 1 or not a number is read as 1: never more agents than slots.
    assertThat(StaffingModel.estimate(10, Duration.ofMinutes(30), 120_000L, null, 80, Duration.ofSeconds(20), 1, 1, 0.2)
        .agentsNeeded()).isEqualTo(slots);
    assertThat(StaffingModel.estimate(10, Duration.ofMinutes(30), 120_000L, null, 80, Duration.ofSeconds(20), 1, 1, Double.NaN)
        .agentsNeeded()).isEqualTo(slots);
  }

  private static Map<String, List<io.switchboard.hub.store.DashboardStore.Period>> byQueueAndChannel(
      List<io.switchboard.hub.store.DashboardStore.QueueChannelRow> rows) {
    Map<String, List<io.switchboard.hub.store.DashboardStore.Period>> out = new java.util.TreeMap<>();
    rows.forEach(r -> out.put(r.queueId() + "/" + r.channel(), List.of(r.today(), r.window())));
    return out;
  }

  @Test
  @DisplayName("Today read as a closed part and the recent rows, split anywhere, equals today read at once")
  void todayInTwoPartsEqualsTodayReadAtOnce() {
    var store = fx.stores.dashboard();
    var pool = fx.db.pool();
    List<String> ids = List.of("billing", "quiet");
    List<Integer> targets = List.of(30, 10);
    Instant windowStart = NOW.minus(DashboardService.WINDOW);
    var whole = byQueueAndChannel(await(store.queuePeriods(pool, ids, targets, DAY_START, windowStart, NOW)));
    assertThat(whole).isNotEmpty();
    // Splits on the fixture's own instants (each event exactly at, just before and just after a boundary).
    Instant q1 = NOW.minus(Duration.ofHours(3));
    for (Instant b : List.of(DAY_START, DAY_START.plusMillis(1), q1, q1.plusSeconds(10), q1.plusSeconds(370),
        NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1)).plusSeconds(40), windowStart.minusSeconds(1),
        windowStart, windowStart.plusSeconds(1), NOW.minus(Duration.ofMinutes(12)), NOW.minus(Duration.ofMinutes(10)), NOW)) {
      var closed = await(store.queueSpan(pool, ids, targets, DAY_START, b));
      var recent = await(store.queuePeriods(pool, ids, targets, b, windowStart, NOW));
      assertThat(byQueueAndChannel(DashboardService.withClosed(recent, closed))).as("split at " + b).isEqualTo(whole);
    }
  }

  @Test
  @DisplayName("The closed part ends at the window's start floored to 5 minutes, never before midnight, and is reused for a minute")
  void theClosedPartsBoundaryAndReuse() {
    assertThat(ClosedPeriods.boundary(DAY_START, Instant.parse("2026-11-23T09:34:59Z"))).isEqualTo(Instant.parse("2026-11-23T09:30:00Z"));
    assertThat(ClosedPeriods.boundary(DAY_START, Instant.parse("2026-11-23T09:35:00Z"))).isEqualTo(Instant.parse("2026-11-23T09:35:00Z"));
    // Just after midnight the window reaches into yesterday: nothing is closed yet.
    assertThat(ClosedPeriods.boundary(DAY_START, DAY_START.minusSeconds(600))).isEqualTo(DAY_START);
    // A day start that is not on a 5-minute mark is respected too.
    Instant oddMidnight = Instant.parse("2026-11-22T14:46:00Z");
    assertThat(ClosedPeriods.boundary(oddMidnight, oddMidnight.plusSeconds(60))).isEqualTo(oddMidnight);

    ClosedPeriods cache = new ClosedPeriods();
    List<String> ids = List.of("billing");
    List<Integer> targets = List.of(30);
    Instant b = Instant.parse("2026-11-23T09:30:00Z");
    var first = cache.read(fx.stores, ids, targets, DAY_START, b, NOW);
    assertThat(await(first)).isNotEmpty();
    assertThat(cache.read(fx.stores, ids, targets, DAY_START, b, NOW.plusSeconds(59))).isSameAs(first);
    assertThat(cache.read(fx.stores, ids, targets, DAY_START, b, NOW.plusSeconds(60))).isNotSameAs(first);
    var moved = cache.read(fx.stores, ids, targets, DAY_START, b.plus(ClosedPeriods.STEP), NOW.plusSeconds(61));
    assertThat(await(moved)).isNotEmpty();
    assertThat(cache.read(fx.stores, List.of("billing", "quiet"), List.of(30, 10), DAY_START, b.plus(ClosedPeriods.STEP),
        NOW.plusSeconds(62))).isNotSameAs(moved);
  }

  @Test
  @DisplayName("#9.6 Contacts still waiting in a queue the rules no longer name show as a 'removed from the rules' row, so the per-queue waiting adds up to the total")
  void contactsWaitingInARemovedQueueAreShownInTheirOwnRowAndTheTotalsAgree() {
    // The queue existed (its row stays in PostgreSQL) until a new rules version dropped it.
    sql("INSERT INTO queues (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", "retired", "Retired");
    String orphan = interaction("retired", "chat", "queued", NOW.minusSeconds(120), null, null, null, null).toString();
    await(live.enqueue(orphan, new JsonObject().put("channel", "chat")
        .put("classification", new JsonObject().put("queue", "retired")), NOW.minusSeconds(120)));
    try {
      DashboardSnapshot s = await(new DashboardService(fx.stores, live, rules, Clock.fixed(NOW, ZoneOffset.UTC)).compute());
      int perQueue = s.queues().stream().mapToInt(DashboardSnapshot.QueueFigures::waiting).sum();
      assertThat(perQueue).as("per-queue waiting adds up to the total").isEqualTo(s.totals().waiting());
      DashboardSnapshot.QueueFigures retired = s.queues().stream().filter(q -> q.id().equals("retired")).findFirst().orElseThrow();
      assertThat(retired.waiting()).isEqualTo(1);
      assertThat(retired.longestWaitMs()).isEqualTo(120_000);
      assertThat(retired.oldestInteractionId()).isEqualTo(orphan);
      JsonObject row = s.toJson().getJsonArray("queues").stream().map(o -> (JsonObject) o)
          .filter(q -> q.getString("id").equals("retired")).findFirst().orElseThrow();
      assertThat(row.getBoolean("removed")).isTrue();
      assertThat(row.getString("name")).contains("removed from the rules");
      assertThat(s.toJson().getJsonArray("queues").stream().map(o -> (JsonObject) o)
          .filter(q -> q.getString("id").equals("billing")).findFirst().orElseThrow().getBoolean("removed")).isFalse();
    } finally {
      await(live.dequeue(orphan));
    }
  }
}

package io.switchboard.hub.core.reports;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.store.ReportStore;
import io.switchboard.hub.store.ReportStore.Dimension;
import io.switchboard.hub.store.ReportStore.Query;
import io.switchboard.hub.store.ReportStore.ReportRow;
import io.switchboard.hub.store.ReportStore.Unit;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The report job over a hand-computed day (2026-03-02, queue billing with a 30 s target, Berlin time): what it
 * counts, that late and out-of-order commits fold in, and that running it again changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportJobTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final Instant NOW = Instant.parse("2026-03-06T12:00:00Z");
  private static CoreFixture f;
  private static final ReportStore store = new ReportStore();
  private static final UUID alice = UUID.randomUUID();

  @BeforeAll
  static void setUp() {
    f = CoreFixture.start();
    sql("INSERT INTO queues (id, name, service_level_seconds) VALUES ('billing', 'Billing', 30)");
    sql("INSERT INTO agents (id, username, display_name, role, password_hash) VALUES ($1, 'alice', 'Alice, \"A\"', 'agent', 'x')", alice);
    // Alice: available 08:50, break 09:10, available 09:20, offline 09:40 (UTC).
    state("available", "09:50");
    state("break", "10:10");
    state("available", "10:20");
    state("offline", "10:40");
    // i1: answered in 20 s (in target), 5 min talk + 1 min wrap-up.
    interaction(customer(), "chat", "10:00:00", "10:00:20", "10:05:20", "10:06:20", "ended", alice, f.db.pool());
    // i2: answered after 60 s, transferred once, 8 min without wrap-up.
    UUID i2 = interaction(customer(), "chat", "10:01:00", "10:02:00", null, "10:10:00", "ended", alice, f.db.pool());
    transition(f.db.pool(), i2, "assigned", "queued", "billing", alice, "transferred by agent:alice to queue billing", at("10:03:00"));
    // i3: abandoned after 60 s (after target); i4: abandoned after 10 s (within target).
    interaction(customer(), "email", "10:03:00", null, null, "10:04:00", "abandoned", null, f.db.pool());
    interaction(customer(), "chat", "10:05:00", null, null, "10:05:10", "abandoned", null, f.db.pool());
  }

  @AfterAll
  static void tearDown() {
    f.close();
  }

  @Test
  @Order(1)
  @DisplayName("a day per queue: offered, answered in target, abandoned after target, service level, ASA, AHT, transfers, FCR")
  void queueFiguresOfADay() {
    run();
    ReportRow day = only(queues(Unit.DAY));
    assertThat(day.periodStart()).isEqualTo(Instant.parse("2026-03-01T23:00:00Z"));
    assertThat(day.queueId()).isEqualTo("billing");
    Map<String, Object> m = ReportFigures.figures(Dimension.QUEUES, day, BERLIN);
    assertThat(m).containsEntry("periodStart", "2026-03-02T00:00+01:00").containsEntry("offered", 4L)
        .containsEntry("answered", 2L).containsEntry("answeredInTarget", 1L).containsEntry("abandoned", 2L)
        .containsEntry("abandonedAfterTarget", 1L).containsEntry("asaMs", 40_000L).containsEntry("handled", 2L)
        .containsEntry("ahtMs", 420_000L).containsEntry("talkMs", 390_000L).containsEntry("transfers", 1L)
        .containsEntry("fcrResolved", 2L);
    assertThat((Double) m.get("serviceLevel")).isCloseTo(100.0 / 3, within(1e-9));
    assertThat((Double) m.get("abandonRate")).isCloseTo(50.0, within(1e-9));
    assertThat((Double) m.get("fcrRate")).isCloseTo(100.0, within(1e-9));
    // Per channel: email has only the abandoned one.
    List<ReportRow> channels = await(store.read(f.db.pool(), query(Dimension.CHANNELS, Unit.DAY, null, null)));
    assertThat(channels).extracting(ReportRow::channel).containsExactly("chat", "email");
    assertThat(channels.get(1).offered()).isEqualTo(1);
    assertThat(channels.get(1).abandonedAfterTarget()).isEqualTo(1);
    // 15-minute intervals: everything in 10:00–10:15 Berlin (09:00Z) but i2's end at 10:10 is there too.
    assertThat(queues(Unit.MINUTES_15)).extracting(ReportRow::periodStart).containsExactly(Instant.parse("2026-03-02T09:00:00Z"));
  }

  @Test
  @Order(2)
  @DisplayName("an agent's hour: answers, handle time, time in each state, occupancy and utilisation")
  void agentFiguresOfAnHour() {
    run();
    List<ReportRow> rows = await(store.read(f.db.pool(), new Query(Dimension.AGENTS, Unit.HOUR, Instant.parse("2026-03-02T09:00:00Z"),
        Instant.parse("2026-03-02T10:00:00Z"), "Europe/Berlin", null, List.of(alice), null)));
    Map<String, Object> m = ReportFigures.figures(Dimension.AGENTS, only(rows), BERLIN);
    assertThat(m).containsEntry("username", "alice").containsEntry("answered", 2L).containsEntry("handled", 2L)
        .containsEntry("handleTimeMs", 840_000L).containsEntry("transfers", 1L)
        .containsEntry("availableMs", 1_800_000L).containsEntry("breakMs", 600_000L).containsEntry("loggedInMs", 2_400_000L);
    assertThat((Double) m.get("occupancy")).isCloseTo(840.0 / 1800 * 100, within(1e-9));
    assertThat((Double) m.get("utilisation")).isCloseTo(75.0, within(1e-9));
  }

  @Test
  @Order(3)
  @DisplayName("a transaction that commits after a later one is still counted (watermark on commit order, not ids)")
  void aLateCommitWithASmallerIdFoldsIn() {
    run();
    SqlConnection slow = await(f.db.pool().getConnection());
    try {
      await(slow.query("BEGIN").execute());
      // Takes its transition ids first, commits last.
      interaction(customer(), "chat", "10:07:00", null, null, "10:07:05", "abandoned", null, slow);
      interaction(customer(), "chat", "10:08:00", null, null, "10:08:05", "abandoned", null, f.db.pool());
      run();
      // The job takes in only transactions older than every one still running: neither is counted yet.
      assertThat(only(queues(Unit.DAY)).offered()).isEqualTo(4);
      await(slow.query("COMMIT").execute());
    } finally {
      slow.close();
    }
    run();
    assertThat(only(queues(Unit.DAY)).offered()).isEqualTo(6);
    assertThat(only(queues(Unit.DAY)).abandoned()).isEqualTo(4);
  }

  @Test
  @Order(4)
  @DisplayName("a new contact days later undoes the first-contact resolution of the earlier one")
  void aRepeatContactWithinTheWindowFoldsIntoTheEarlierDay() {
    UUID customer = customer();
    interaction(customer, "chat", "10:11:00", "10:11:05", null, "10:12:00", "ended", alice, f.db.pool());
    run();
    long resolved = only(queues(Unit.DAY)).fcrResolved();
    OffsetDateTime later = OffsetDateTime.of(2026, 3, 5, 9, 0, 0, 0, ZoneOffset.UTC);
    interactionAt(customer, later);
    run();
    assertThat(only(queues(Unit.DAY)).fcrResolved()).isEqualTo(resolved - 1);
  }

  @Test
  @Order(5)
  @DisplayName("running again, or rebuilding a past range, gives the same rows")
  void idempotent() {
    run();
    List<ReportRow> before = queues(Unit.MINUTES_15);
    List<ReportRow> agentsBefore = await(store.read(f.db.pool(), query(Dimension.AGENTS, Unit.MINUTES_15, null, null)));
    assertThat(await(store.markRange(f.db, Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-06T00:00:00Z"))))
        .isEqualTo(5 * 96);
    run();
    run();
    assertThat(queues(Unit.MINUTES_15)).isEqualTo(before);
    assertThat(await(store.read(f.db.pool(), query(Dimension.AGENTS, Unit.MINUTES_15, null, null)))).isEqualTo(agentsBefore);
    assertThat(f.count("SELECT count(*) FROM report_dirty")).isZero();
  }

  @Test
  @Order(6)
  @DisplayName("agents by day and week read whole days from the day roll-ups, the same figures as from the intervals")
  void agentDaysFromTheRollUps() {
    run();
    assertThat(f.count("SELECT count(*) FROM report_rollup_zone WHERE zone = 'Europe/Berlin'")).isEqualTo(1);
    // Alice's day 2026-03-02 (Berlin) is one roll-up row for chat, one per state she was in.
    assertThat(f.count("SELECT count(*) FROM report_agent_days WHERE day_start = '2026-03-01T23:00:00Z' AND agent_id = '"
        + alice + "' AND channel = 'chat'")).isEqualTo(1);
    assertThat(f.count("SELECT sum(ms) FROM report_agent_state_days WHERE day_start = '2026-03-01T23:00:00Z' AND agent_id = '"
        + alice + "'")).isEqualTo(3_000_000); // 08:50-09:40 UTC
    List<Query> queries = agentQueries();
    List<List<ReportRow>> fromDays = queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList();
    assertThat(fromDays.get(0)).hasSize(1);
    assertThat(fromDays.get(0).get(0).answered()).isEqualTo(3);
    assertThat(fromDays.get(0).get(0).availableMs()).isEqualTo(2_400_000);
    assertThat(fromDays.get(0).get(0).breakMs()).isEqualTo(600_000);
    // Without roll-ups for the zone, the same reports come from the interval rows.
    sql("DELETE FROM report_rollup_zone");
    List<List<ReportRow>> fromIntervals = queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList();
    assertThat(fromIntervals).isEqualTo(fromDays);
    run(); // builds them again
    assertThat(queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList()).isEqualTo(fromDays);
  }

  @Test
  @Order(7)
  @DisplayName("whole days come from the roll-up, partial days at the range's edges from the intervals; a rebuild restores a roll-up")
  void wholeDaysOnlyFromTheRollUp() {
    run();
    sql("UPDATE report_agent_days SET answered = 99 WHERE agent_id = $1 AND day_start = '2026-03-01T23:00:00Z'", alice);
    // The whole Berlin day: the (spoiled) roll-up is what is read.
    assertThat(only(agents(Unit.DAY, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z")).answered()).isEqualTo(99);
    // From 10:00 Berlin on (09:00Z): not a whole day, read from the intervals.
    assertThat(only(agents(Unit.DAY, "2026-03-02T09:00:00Z", "2026-03-02T23:00:00Z")).answered()).isEqualTo(3);
    // Rebuilding the day sums it again from the intervals.
    await(store.markRange(f.db, Instant.parse("2026-03-02T09:00:00Z"), Instant.parse("2026-03-02T09:15:00Z")));
    run();
    assertThat(only(agents(Unit.DAY, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z")).answered()).isEqualTo(3);
  }

  @Test
  @Order(8)
  @DisplayName("a late answer folds into the agent's day roll-up")
  void aLateAnswerFoldsIntoTheDay() {
    run();
    long before = only(agents(Unit.WEEK, "2026-02-28T23:00:00Z", "2026-03-07T23:00:00Z")).answered();
    interaction(customer(), "social", "18:00:00", "18:00:30", null, "18:05:00", "ended", alice, f.db.pool());
    run();
    ReportRow week = only(agents(Unit.WEEK, "2026-02-28T23:00:00Z", "2026-03-07T23:00:00Z"));
    assertThat(week.answered()).isEqualTo(before + 1);
    assertThat(week.periodStart()).isEqualTo(Instant.parse("2026-03-01T23:00:00Z")); // Monday 2 March, Berlin
    assertThat(f.count("SELECT count(*) FROM report_agent_days WHERE agent_id = '" + alice + "' AND channel = 'social'")).isEqualTo(1);
  }

  @Test
  @Order(9)
  @DisplayName("a change of the business zone builds the day roll-ups again for the new zone; reports stay right meanwhile")
  void aNewZoneRebuildsTheDays() {
    run();
    List<Query> queries = agentQueries();
    List<List<ReportRow>> berlin = queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList();
    await(ReportJob.runOnce(f.db, store, 7, "UTC", NOW));
    assertThat(f.count("SELECT count(*) FROM report_rollup_zone WHERE zone = 'UTC'")).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM report_agent_days WHERE day_start = '2026-03-02T00:00:00Z' AND agent_id = '"
        + alice + "'")).isPositive();
    assertThat(f.count("SELECT count(*) FROM report_agent_days WHERE day_start = '2026-03-01T23:00:00Z'")).isZero();
    // A Berlin report, roll-ups now in UTC: read from the intervals, same figures.
    assertThat(queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList()).isEqualTo(berlin);
    run();
    assertThat(f.count("SELECT count(*) FROM report_rollup_zone WHERE zone = 'Europe/Berlin'")).isEqualTo(1);
    assertThat(queries.stream().map(q -> await(store.read(f.db.pool(), q))).toList()).isEqualTo(berlin);
  }

  @Test
  @Order(10)
  @DisplayName("the 23-hour day of the spring clock change is one roll-up day, summed to the hour")
  void theClockChangeDayIsOneDay() {
    UUID carol = UUID.randomUUID();
    sql("INSERT INTO agents (id, username, display_name, role, password_hash) VALUES ($1, 'carol', 'Carol', 'agent', 'x')", carol);
    // Sunday 2026-03-29, Berlin: 00:30 (UTC+1) to 23:30 (UTC+2) is 22 hours; the day itself has 23.
    sql("INSERT INTO agent_state_changes (agent_id, state, at) VALUES ($1, 'available', '2026-03-28T23:30:00Z'),"
        + " ($1, 'offline', '2026-03-29T21:30:00Z')", carol);
    await(store.markRange(f.db, Instant.parse("2026-03-28T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z")));
    await(ReportJob.runOnce(f.db, store, 7, "Europe/Berlin", Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(f.count("SELECT count(*) FROM report_agent_state_days WHERE agent_id = '" + carol + "'")).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM report_agent_state_days WHERE agent_id = '" + carol
        + "' AND day_start = '2026-03-28T23:00:00Z' AND ms = " + 22 * 3_600_000L)).isEqualTo(1);
    Query week = new Query(Dimension.AGENTS, Unit.WEEK, Instant.parse("2026-03-22T23:00:00Z"), Instant.parse("2026-03-29T22:00:00Z"),
        "Europe/Berlin", null, List.of(carol), null);
    Query days = new Query(Dimension.AGENTS, Unit.DAY, Instant.parse("2026-03-27T23:00:00Z"), Instant.parse("2026-03-30T22:00:00Z"),
        "Europe/Berlin", null, List.of(carol), null);
    ReportRow fromDays = only(await(store.read(f.db.pool(), week)));
    assertThat(fromDays.availableMs()).isEqualTo(22 * 3_600_000L);
    assertThat(await(store.read(f.db.pool(), days))).extracting(ReportRow::periodStart)
        .containsExactly(Instant.parse("2026-03-28T23:00:00Z"));
    sql("DELETE FROM report_rollup_zone");
    assertThat(only(await(store.read(f.db.pool(), week)))).isEqualTo(fromDays);
    run();
  }

  // ---------------------------------------------------------------------------------------------- fixture

  /** Agent reports over whole days, a week, and ranges cut inside days at either end. */
  private static List<Query> agentQueries() {
    return List.of(
        agentQuery(Unit.DAY, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z"),
        agentQuery(Unit.DAY, "2026-02-27T23:00:00Z", "2026-03-05T23:00:00Z"),
        agentQuery(Unit.WEEK, "2026-02-22T23:00:00Z", "2026-03-08T23:00:00Z"),
        agentQuery(Unit.DAY, "2026-03-01T22:00:00Z", "2026-03-03T09:30:00Z"),
        agentQuery(Unit.WEEK, "2026-03-02T09:15:00Z", "2026-03-04T05:00:00Z"),
        agentQuery(Unit.HOUR, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z"));
  }

  private static Query agentQuery(Unit unit, String from, String to) {
    return new Query(Dimension.AGENTS, unit, Instant.parse(from), Instant.parse(to), "Europe/Berlin", null, List.of(alice), null);
  }

  private static List<ReportRow> agents(Unit unit, String from, String to) {
    return await(store.read(f.db.pool(), agentQuery(unit, from, to)));
  }

  private static void run() {
    await(ReportJob.runOnce(f.db, store, 7, "Europe/Berlin", NOW));
  }

  private static List<ReportRow> queues(Unit unit) {
    return await(store.read(f.db.pool(), query(Dimension.QUEUES, unit, List.of("billing"), null)));
  }

  private static Query query(Dimension d, Unit unit, List<String> queues, List<String> channels) {
    return new Query(d, unit, Instant.parse("2026-03-01T23:00:00Z"), Instant.parse("2026-03-02T23:00:00Z"), "Europe/Berlin",
        d == Dimension.AGENTS ? null : queues, null, channels);
  }

  private static ReportRow only(List<ReportRow> rows) {
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  /** 2026-03-02 at a Berlin wall-clock time (UTC+1). */
  private static OffsetDateTime at(String berlin) {
    return OffsetDateTime.parse("2026-03-02T" + (berlin.length() == 5 ? berlin + ":00" : berlin) + "+01:00");
  }

  private static void sql(String statement, Object... params) {
    await(f.db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  private static void state(String state, String berlin) {
    sql("INSERT INTO agent_state_changes (agent_id, state, at) VALUES ($1, $2, $3)", alice, state, at(berlin));
  }

  private static UUID customer() {
    UUID id = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'C')", id);
    return id;
  }

  private static void transition(SqlClient c, UUID id, String from, String to, String queue, UUID agent, String reason,
      OffsetDateTime when) {
    await(c.preparedQuery("INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
        + " VALUES ($1, $2, $3, $4, $5, $6, $7)").execute(Tuple.from(new Object[] {id, from, to, queue, agent, reason, when})));
  }

  private static UUID interaction(UUID customer, String channel, String queued, String answered, String wrapUp, String ended,
      String state, UUID agent, SqlClient c) {
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    await(c.preparedQuery("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, $3)").execute(Tuple.of(conv, customer, channel)));
    await(c.preparedQuery("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id,"
            + " created_at, queued_at, answered_at, wrap_up_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, 'billing', $7, $8, $8, $9, $10, $11)")
        .execute(Tuple.from(new Object[] {id, conv, customer, channel, id.toString(), state, agent, at(queued),
            answered == null ? null : at(answered), wrapUp == null ? null : at(wrapUp), at(ended)})));
    transition(c, id, null, "queued", "billing", null, null, at(queued));
    if (answered != null) {
      transition(c, id, "offered", "assigned", "billing", agent, null, at(answered));
    }
    if (wrapUp != null) {
      transition(c, id, "assigned", "wrap_up", "billing", agent, null, at(wrapUp));
    }
    transition(c, id, answered == null ? "queued" : wrapUp != null ? "wrap_up" : "assigned", state, "billing", agent, null, at(ended));
    return id;
  }

  /** A new contact of {@code customer} in billing at {@code when}, still waiting. */
  private static void interactionAt(UUID customer, OffsetDateTime when) {
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'chat')", conv, customer);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, created_at, queued_at)"
        + " VALUES ($1, $2, $3, 'chat', $4, 'queued', 'billing', $5, $5)", id, conv, customer, id.toString(), when);
    transition(f.db.pool(), id, null, "queued", "billing", null, null, when);
  }
}

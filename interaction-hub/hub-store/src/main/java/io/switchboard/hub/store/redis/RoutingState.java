package io.switchboard.hub.store.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Live routing state in Redis, shared by every hub node: the waiting interactions (a sorted set by the time
 * they started waiting, plus one JSON item each), every agent's state, presence, skills, capacity and load,
 * and the live offers with their expiry. PostgreSQL stays the record; this state can be rebuilt from it.
 *
 * <p>Two change logs let each node keep a decoded copy of this state in memory and read only what changed: every change
 * to the waiting set or a waiting item notes the interaction ({@code waiting_log.lua}), every change to an agent's
 * live state notes the agent ({@code agent_log.lua}), each with a change number.
 *
 * <p>Every change that must not race (reserve, accept, release, finish) is one Lua script, so two nodes
 * matching at once can never offer one interaction twice, fill an agent past capacity or give voice work to
 * a busy agent.
 *
 * <p>Size (over 400 lines, #15): the one Java face of routing's Redis keys and Lua scripts. Waiting work, agents and
 * offers are read and changed by the same atomic scripts (a reservation touches all three), so their key layout and
 * encodings stay in one class; each method is a thin call of one script or one pipelined read.
 */
public final class RoutingState {
  /** Outcome of {@link #reserve}. */
  public enum Reservation {
    OK, ALREADY_OFFERED, NOT_WAITING, AGENT_NOT_AVAILABLE, AGENT_NOT_PRESENT, AGENT_AT_CAPACITY,
    AGENT_ON_EXCLUSIVE_WORK, EXCLUSIVE_NEEDS_FREE_AGENT;

    static Reservation of(String reply) {
      return valueOf(reply.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
  }

  /** An agent's live state as stored. */
  public record AgentLive(
      String agentId, String state, String reason, Instant since, boolean present, Instant idleSince,
      Map<String, Integer> skills, List<String> queues, Map<String, Integer> capacity, Map<String, Integer> load,
      List<String> exclusive) {}

  /** An agent's load and capacity per channel, as a script that changed them left them. */
  public record AgentLoad(Map<String, Integer> load, Map<String, Integer> capacity) {}

  /** A live offer. */
  public record Offer(String interactionId, String agentId, String channel, Instant offeredAt, Instant expiresAt) {}

  private final RedisStore redis;
  private final Script reserve;
  private final Script accept;
  private final Script release;
  private final Script finish;
  private final Script transfer;
  private final Script reclassify;
  private final Script repairAgent;
  private final Script setState;
  private final Script present;
  private final Script heartbeat;
  private final Script enqueue;
  private final Script dequeue;
  private final Script putAgent;
  private final Script passLease;
  /** Agents' states this node's own scripts left and answered, by change number (see {@link #ownAgentChanges}). */
  private final OwnChanges<AgentLive> ownAgents = new OwnChanges<>(OWN_CHANGES_KEPT);
  /** Waiting items this node's own scripts left and answered, by change number (see {@link #ownWaitingChanges}). */
  private final OwnChanges<RawItem> ownWaiting = new OwnChanges<>(OWN_CHANGES_KEPT);

  /** How many of its own changes of each kind (agents, waiting) this node remembers: the latest, a few seconds' worth. */
  static final int OWN_CHANGES_KEPT = 8192;

  public RoutingState(RedisStore redis) {
    this.redis = redis;
    String agentLog = load("agent_log.lua");
    String agentFields = load("agent_load.lua");
    this.reserve = new Script(load("waiting_log.lua") + agentLog + agentFields + load("reserve.lua"));
    this.accept = new Script(load("accept.lua"));
    this.release = new Script(load("load_prelude.lua") + load("waiting_log.lua") + agentLog + load("release.lua"));
    this.finish = new Script(load("load_prelude.lua") + agentLog + agentFields + load("finish.lua"));
    this.transfer = new Script(load("load_prelude.lua") + load("waiting_log.lua") + agentLog + load("transfer.lua"));
    this.reclassify = new Script(load("waiting_log.lua") + load("reclassify.lua"));
    this.repairAgent = new Script(agentLog + load("repair_agent.lua"));
    this.setState = new Script(agentLog + load("set_state.lua"));
    this.present = new Script(agentLog + load("present.lua"));
    this.heartbeat = new Script(agentLog + load("heartbeat.lua"));
    this.putAgent = new Script(agentLog + load("put_agent.lua"));
    this.enqueue = new Script(load("waiting_log.lua") + load("enqueue.lua"));
    this.dequeue = new Script(load("waiting_log.lua") + load("dequeue.lua"));
    this.passLease = new Script(load("pass_lease.lua"));
  }

  /** See {@link RedisStore#onReconnected}. */
  public void onReconnected(Runnable listener) {
    redis.onReconnected(listener);
  }

  private String k(String name) {
    return redis.key("rt:" + name);
  }

  private String waitingKey() {
    return k("waiting");
  }

  /** The number of changes to the waiting interactions so far (waiting_log.lua). */
  private String waitingSeqKey() {
    return k("wseq");
  }

  /** The change log: interaction id → the number of its last change (waiting_log.lua). */
  private String waitingLogKey() {
    return k("wlog");
  }

  /** Changes up to this number have been forgotten by the change log (enqueue.lua). */
  private String waitingFloorKey() {
    return k("wfloor");
  }

  /** The number of changes to agents' live state so far (agent_log.lua). */
  private String agentSeqKey() {
    return k("aseq");
  }

  /** The agents' change log: agent id → the number of its last change (agent_log.lua). */
  private String agentLogKey() {
    return k("alog");
  }

  private String itemKey(String interactionId) {
    return k("w:" + interactionId);
  }

  private String agentKey(String agentId) {
    return k("a:" + agentId);
  }

  private String offerKey(String interactionId) {
    return k("offer:" + interactionId);
  }

  private String offerExpiryKey() {
    return k("offer-expiry");
  }

  private String agentOffersKey(String agentId) {
    return k("offers:" + agentId);
  }

  private String agentAssignedKey(String agentId) {
    return k("assigned:" + agentId);
  }

  private String agentsKey() {
    return k("agents");
  }

  private RedisAsyncCommands<String, String> cmd() {
    return redis.async();
  }

  // ---- waiting interactions

  /** Adds (or replaces) a waiting interaction; {@code item} is the classification and exclusions as JSON. */
  public Future<Void> enqueue(String interactionId, JsonObject item, Instant waitingSince) {
    String json = item.encode();
    long since = waitingSince.toEpochMilli();
    return enqueue.run(List.of(waitingKey(), itemKey(interactionId), waitingSeqKey(), waitingLogKey(), waitingFloorKey(), k("epoch")),
        interactionId, json, Long.toString(since)).map(r -> {
          // "<change number> <epoch>": this node knows the item as it is at that change without reading it back.
          int space = r.indexOf(' ');
          ownWaiting.put(Long.parseLong(r.substring(0, space)), epochOf(r.substring(space + 1)), interactionId, new RawItem(json, since));
          return null;
        });
  }

  /** Removes a waiting interaction (abandoned, moved, ended). */
  public Future<Void> dequeue(String interactionId) {
    return dequeue.run(List.of(waitingKey(), itemKey(interactionId), waitingSeqKey(), waitingLogKey()), interactionId, "1")
        .mapEmpty();
  }

  /**
   * Where the waiting interactions' change log stands: the number of changes so far, the number up to which the log has
   * forgotten them, and the epoch of live state (null before a rebuild, and after Redis lost its data).
   */
  public record WaitingCursor(long seq, long floor, String epoch) {}

  /** See {@link WaitingCursor}. */
  public Future<WaitingCursor> waitingCursor() {
    return redis.call(cmd().mget(waitingSeqKey(), waitingFloorKey(), k("epoch"))).map(values -> new WaitingCursor(
        values.get(0).hasValue() ? Long.parseLong(values.get(0).getValue()) : 0,
        values.get(1).hasValue() ? Long.parseLong(values.get(1).getValue()) : 0,
        values.get(2).hasValue() ? values.get(2).getValue() : null));
  }

  /** The interactions changed after change number {@code seq}: id → the number of its last change. */
  public Future<Map<String, Long>> waitingChangedSince(long seq) {
    return redis.call(cmd().zrangebyscoreWithScores(waitingLogKey(),
        io.lettuce.core.Range.from(io.lettuce.core.Range.Boundary.excluding(seq), io.lettuce.core.Range.Boundary.unbounded())))
        .map(entries -> {
          Map<String, Long> out = new LinkedHashMap<>();
          entries.forEach(e -> out.put(e.getValue(), (long) e.getScore()));
          return out;
        });
  }

  /**
   * A waiting item as Redis holds it: its JSON text, not parsed (so one bad item cannot fail a read of many), and when
   * the interaction started waiting (epoch millis, its score in the waiting set).
   */
  public record RawItem(String json, long waitingSince) {
    /** The item parsed, with {@code waitingSince} added; throws {@link io.vertx.core.json.DecodeException} when it is no JSON object. */
    public JsonObject parse() {
      return new JsonObject(json).put("waitingSince", waitingSince);
    }
  }

  /**
   * The waiting items of {@code ids} as {@link #waiting()} gives them (with {@code waitingSince}), read in one round of
   * pipelined commands; an id that does not wait now (no place in the waiting set, or no item) maps to null.
   */
  public Future<Map<String, JsonObject>> waitingItems(java.util.Collection<String> ids) {
    return waitingItemsRaw(ids).map(raw -> {
      Map<String, JsonObject> out = new LinkedHashMap<>();
      raw.forEach((id, item) -> out.put(id, item == null ? null : item.parse()));
      return out;
    });
  }

  /** As {@link #waitingItems}, each item's text left unparsed. */
  public Future<Map<String, RawItem>> waitingItemsRaw(java.util.Collection<String> ids) {
    List<String> list = new ArrayList<>(ids);
    List<CompletableFuture<Double>> scores = new ArrayList<>();
    List<CompletableFuture<String>> items = new ArrayList<>();
    for (String id : list) {
      scores.add(cmd().zscore(waitingKey(), id).toCompletableFuture());
      items.add(cmd().get(itemKey(id)).toCompletableFuture());
    }
    List<CompletableFuture<?>> all = new ArrayList<>(scores);
    all.addAll(items);
    return redis.call(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))).map(x -> {
      Map<String, RawItem> out = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        Double score = scores.get(i).join();
        String item = items.get(i).join();
        out.put(list.get(i), score == null || item == null ? null : new RawItem(item, score.longValue()));
      }
      return out;
    });
  }

  /** Every waiting interaction, oldest first: id → item (with {@code waitingSince} millis added). */
  public Future<LinkedHashMap<String, JsonObject>> waiting() {
    return waitingRaw().map(raw -> {
      LinkedHashMap<String, JsonObject> out = new LinkedHashMap<>();
      raw.forEach((id, item) -> out.put(id, item.parse()));
      return out;
    });
  }

  /** As {@link #waiting()}, each item's text left unparsed (one ZRANGE and one MGET). */
  public Future<LinkedHashMap<String, RawItem>> waitingRaw() {
    return redis.call(cmd().zrangeWithScores(waitingKey(), 0, -1)).compose(entries -> {
      if (entries.isEmpty()) {
        return Future.succeededFuture(new LinkedHashMap<>());
      }
      String[] keys = entries.stream().map(e -> itemKey(e.getValue())).toArray(String[]::new);
      return redis.call(cmd().mget(keys)).map(values -> {
        LinkedHashMap<String, RawItem> out = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
          var kv = values.get(i);
          if (kv != null && kv.hasValue()) {
            out.put(entries.get(i).getValue(), new RawItem(kv.getValue(), (long) entries.get(i).getScore()));
          }
        }
        return out;
      });
    });
  }

  /** Every waiting interaction's id with its waiting-since millis (the sorted set only, no items). */
  public Future<Map<String, Long>> waitingIds() {
    return redis.call(cmd().zrangeWithScores(waitingKey(), 0, -1)).map(entries -> {
      Map<String, Long> out = new LinkedHashMap<>();
      entries.forEach(e -> out.put(e.getValue(), (long) e.getScore()));
      return out;
    });
  }

  /** Takes an interaction out of the waiting set, keeping its item (an offer of it exists). */
  public Future<Void> unlistWaiting(String interactionId) {
    return dequeue.run(List.of(waitingKey(), itemKey(interactionId), waitingSeqKey(), waitingLogKey()), interactionId, "0")
        .mapEmpty();
  }

  /**
   * The item of an interaction (waiting, or offered: an offer keeps it), parsed; null when there is none. Fails with
   * {@link io.vertx.core.json.DecodeException} when the item is no JSON object ({@link #itemTexts} reads it unparsed).
   */
  public Future<JsonObject> item(String interactionId) {
    return redis.call(cmd().get(itemKey(interactionId))).map(s -> s == null ? null : new JsonObject(s));
  }

  /**
   * The items of {@code ids} as Redis holds them, unparsed, in one MGET: id → JSON text, or null when it has none (the
   * reconciler checks each, so one that cannot be read is rewritten instead of failing the read of the others).
   */
  public Future<Map<String, String>> itemTexts(java.util.Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(new LinkedHashMap<>());
    }
    List<String> list = new ArrayList<>(ids);
    return redis.call(cmd().mget(list.stream().map(this::itemKey).toArray(String[]::new))).map(values -> {
      Map<String, String> out = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        var kv = values.get(i);
        out.put(list.get(i), kv != null && kv.hasValue() ? kv.getValue() : null);
      }
      return out;
    });
  }

  // ---- agents

  /** Writes an agent's profile and state; load is left alone unless {@code load} is given (rebuild). */
  public Future<Void> putAgent(AgentLive a, boolean writeLoad) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("state", a.state());
    fields.put("reason", a.reason() == null ? "" : a.reason());
    fields.put("since", Long.toString(a.since().toEpochMilli()));
    fields.put("idleSince", Long.toString(a.idleSince().toEpochMilli()));
    fields.put("skills", new JsonObject(new LinkedHashMap<>(a.skills())).encode());
    fields.put("queues", new JsonArray(a.queues()).encode());
    // ",voice," form: the scripts test membership with one string search.
    fields.put("excl", "," + String.join(",", a.exclusive()) + ",");
    a.capacity().forEach((ch, n) -> fields.put("cap:" + ch, Integer.toString(n)));
    if (writeLoad) {
      int total = 0;
      int exclusive = 0;
      for (var e : a.load().entrySet()) {
        fields.put("load:" + e.getKey(), Integer.toString(e.getValue()));
        total += e.getValue();
        if (a.exclusive().contains(e.getKey())) {
          exclusive += e.getValue();
        }
      }
      fields.put("load_total", Integer.toString(total));
      fields.put("load_excl", Integer.toString(exclusive));
      fields.put("present", a.present() ? "1" : "0");
    }
    List<String> args = new ArrayList<>();
    args.add(a.agentId());
    fields.forEach((f, v) -> {
      args.add(f);
      args.add(v);
    });
    return putAgent.run(List.of(agentKey(a.agentId()), agentsKey(), agentSeqKey(), agentLogKey()), args.toArray(String[]::new))
        .mapEmpty();
  }

  /**
   * Sets an agent's state (available, busy, after_call_work, break, offline); becoming available starts its idle time
   * at {@code since} (set_state.lua).
   */
  public Future<Void> setState(String agentId, String state, String reason, Instant since) {
    return setState.run(List.of(agentKey(agentId), agentSeqKey(), agentLogKey()), state, reason == null ? "" : reason,
        Long.toString(since.toEpochMilli()), agentId).mapEmpty();
  }

  /**
   * Marks the agent's console present or gone; becoming present starts its idle time at {@code now} (present.lua).
   * Does nothing for an agent routing does not know yet.
   */
  public Future<Void> setPresent(String agentId, boolean present, Instant now) {
    return this.present.run(List.of(agentKey(agentId), agentSeqKey(), agentLogKey()), present ? "1" : "0",
        Long.toString(now.toEpochMilli()), agentId).mapEmpty();
  }

  /**
   * A console's heartbeat as one script (heartbeat.lua): the console of {@code agentId} is alive for {@code ttl}, and
   * the agent is marked present ({@link #setPresent}), which starts its idle time at {@code now} when it was not.
   *
   * @return false when routing does not know the agent yet (only its presence was written)
   */
  public Future<Boolean> heartbeat(String agentId, java.time.Duration ttl, Instant now) {
    return heartbeat.run(List.of(agentKey(agentId), k("presence:" + agentId), agentSeqKey(), agentLogKey()),
        Long.toString(ttl.toMillis()), Long.toString(now.toEpochMilli()), agentId).map(r -> "ok".equals(String.valueOf(r)));
  }

  /** The console of {@code agentId} is alive for {@code ttl} (refreshed by heartbeats). */
  public Future<Void> presence(String agentId, java.time.Duration ttl) {
    return redis.call(cmd().set(k("presence:" + agentId), "1", io.lettuce.core.SetArgs.Builder.px(ttl.toMillis()))).mapEmpty();
  }

  public Future<Void> clearPresence(String agentId) {
    return redis.call(cmd().del(k("presence:" + agentId))).mapEmpty();
  }

  /** True while the last heartbeat's time to live lasts. */
  public Future<Boolean> presenceAlive(String agentId) {
    return redis.call(cmd().exists(k("presence:" + agentId))).map(n -> n == 1);
  }

  /** For each of {@code agentIds}, whether its console's presence lasts (one MGET, whatever their number). */
  public Future<Map<String, Boolean>> presenceAlive(List<String> agentIds) {
    if (agentIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return redis.call(cmd().mget(agentIds.stream().map(id -> k("presence:" + id)).toArray(String[]::new))).map(values -> {
      Map<String, Boolean> out = new LinkedHashMap<>();
      for (int i = 0; i < agentIds.size(); i++) {
        var kv = values.get(i);
        out.put(agentIds.get(i), kv != null && kv.hasValue());
      }
      return out;
    });
  }

  public Future<AgentLive> agent(String agentId) {
    return redis.call(cmd().hgetall(agentKey(agentId))).map(h -> h.isEmpty() ? null : agentOf(agentId, h));
  }

  /** Every agent known to routing. */
  public Future<List<AgentLive>> agents() {
    return redis.call(cmd().smembers(agentsKey())).compose(ids -> {
      List<String> list = new ArrayList<>(ids);
      List<CompletableFuture<Map<String, String>>> calls = new ArrayList<>();
      for (String id : list) {
        calls.add(cmd().hgetall(agentKey(id)).toCompletableFuture());
      }
      CompletionStage<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
      return redis.call(all).map(x -> {
        List<AgentLive> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          Map<String, String> h = calls.get(i).join();
          if (!h.isEmpty()) {
            out.add(agentOf(list.get(i), h));
          }
        }
        return out;
      });
    });
  }

  /**
   * Where the agents' change log stands: the number of changes to agents' live state so far and the epoch of live state
   * (null before a rebuild, and after Redis lost its data).
   */
  public record AgentCursor(long seq, String epoch) {}

  /** See {@link AgentCursor}. */
  public Future<AgentCursor> agentCursor() {
    return redis.call(cmd().mget(agentSeqKey(), k("epoch"))).map(values -> new AgentCursor(
        values.get(0).hasValue() ? Long.parseLong(values.get(0).getValue()) : 0,
        values.get(1).hasValue() ? values.get(1).getValue() : null));
  }

  /** The agents changed after change number {@code seq}: agent id → the number of its last change. */
  public Future<Map<String, Long>> agentsChangedSince(long seq) {
    return redis.call(cmd().zrangebyscoreWithScores(agentLogKey(),
        io.lettuce.core.Range.from(io.lettuce.core.Range.Boundary.excluding(seq), io.lettuce.core.Range.Boundary.unbounded())))
        .map(entries -> {
          Map<String, Long> out = new LinkedHashMap<>();
          entries.forEach(e -> out.put(e.getValue(), (long) e.getScore()));
          return out;
        });
  }

  /** The live state of {@code ids}, read in one round of pipelined commands; an id routing does not hold maps to null. */
  public Future<Map<String, AgentLive>> agentsOf(java.util.Collection<String> ids) {
    List<String> list = new ArrayList<>(ids);
    List<CompletableFuture<Map<String, String>>> calls = new ArrayList<>();
    for (String id : list) {
      calls.add(cmd().hgetall(agentKey(id)).toCompletableFuture());
    }
    return redis.call(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))).map(x -> {
      Map<String, AgentLive> out = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        Map<String, String> h = calls.get(i).join();
        out.put(list.get(i), h.isEmpty() ? null : agentOf(list.get(i), h));
      }
      return out;
    });
  }

  private static AgentLive agentOf(String id, Map<String, String> h) {
    Map<String, Integer> capacity = new LinkedHashMap<>();
    Map<String, Integer> load = new LinkedHashMap<>();
    h.forEach((f, v) -> {
      if (f.startsWith("cap:")) {
        capacity.put(f.substring(4), Integer.parseInt(v));
      } else if (f.startsWith("load:")) {
        load.put(f.substring(5), Integer.parseInt(v));
      }
    });
    Map<String, Integer> skills = new LinkedHashMap<>();
    new JsonObject(h.getOrDefault("skills", "{}")).forEach(e -> skills.put(e.getKey(), ((Number) e.getValue()).intValue()));
    List<String> queues = new ArrayList<>();
    new JsonArray(h.getOrDefault("queues", "[]")).forEach(q -> queues.add((String) q));
    List<String> excl = new ArrayList<>();
    for (String ch : h.getOrDefault("excl", ",").split(",")) {
      if (!ch.isEmpty()) {
        excl.add(ch);
      }
    }
    String reason = h.getOrDefault("reason", "");
    return new AgentLive(id, h.getOrDefault("state", "offline"), reason.isEmpty() ? null : reason,
        Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("since", "0"))), "1".equals(h.get("present")),
        Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("idleSince", "0"))), skills, queues, capacity, load, excl);
  }

  // ---- offers

  /** Atomically reserves {@code agentId} for {@code interactionId} (see reserve.lua). */
  public Future<Reservation> reserve(String interactionId, String agentId, String channel, Instant now, Instant expires) {
    return reserveWithLoad(interactionId, agentId, channel, now, expires).map(Reserved::outcome);
  }

  /** What {@link #reserveWithLoad} did: its outcome and, when {@link Reservation#OK}, the agent's load after it. */
  public record Reserved(Reservation outcome, AgentLoad load) {}

  /**
   * As {@link #reserve}, answering the agent's load and capacity after the reservation from the same script (no read
   * after it). This node also remembers what the script left (the interaction no longer waiting, the agent's state), so
   * its indexes need not read them back ({@link #ownWaitingChanges}, {@link #ownAgentChanges}).
   */
  public Future<Reserved> reserveWithLoad(String interactionId, String agentId, String channel, Instant now, Instant expires) {
    List<String> keys = List.of(waitingKey(), itemKey(interactionId), agentKey(agentId), offerKey(interactionId),
        offerExpiryKey(), agentOffersKey(agentId), waitingSeqKey(), waitingLogKey(), agentSeqKey(), agentLogKey(), k("epoch"));
    return reserve.run(keys, withChannels(interactionId, agentId, channel, Long.toString(now.toEpochMilli()),
        Long.toString(expires.toEpochMilli()))).map(r -> {
          if (!r.startsWith("{")) {
            return new Reserved(Reservation.of(r), null);
          }
          JsonObject o = new JsonObject(r);
          String epoch = epochOf(o.getString("epoch"));
          AgentLive agent = agentOf(agentId, hashOf(o.getValue("agent")));
          ownWaiting.put(o.getLong("wseq"), epoch, interactionId, null);
          ownAgents.put(o.getLong("aseq"), epoch, agentId, agent);
          return new Reserved(Reservation.OK, new AgentLoad(agent.load(), agent.capacity()));
        });
  }

  /** The agent accepts; "ok", "no-offer" or "not-your-offer". */
  public Future<String> accept(String interactionId, String agentId) {
    return accept.run(List.of(offerKey(interactionId), offerExpiryKey(), agentOffersKey(agentId),
        agentAssignedKey(agentId), itemKey(interactionId)), interactionId, agentId);
  }

  /**
   * Ends an offer without acceptance and puts the interaction back in its place, excluding that agent.
   *
   * @param agentId the agent who must hold it, or null for whoever does
   * @return the agent who held it, or "no-offer" / "not-your-offer"
   */
  public Future<String> release(String interactionId, String agentId, Instant waitingSince, Instant now, boolean pause, String pauseReason) {
    return release(interactionId, agentId, waitingSince, now, pause, pauseReason, true);
  }

  /** As {@link #release(String, String, Instant, Instant, boolean, String)}; {@code exclude} false lets the agent have it again. */
  public Future<String> release(String interactionId, String agentId, Instant waitingSince, Instant now, boolean pause,
      String pauseReason, boolean exclude) {
    return offer(interactionId).compose(o -> {
      if (o == null) {
        return Future.succeededFuture("no-offer");
      }
      if (agentId != null && !agentId.equals(o.agentId())) {
        return Future.succeededFuture("not-your-offer");
      }
      // The script checks again that this holder still holds it, atomically.
      String holder = o.agentId();
      return release.run(List.of(offerKey(interactionId), offerExpiryKey(), agentOffersKey(holder), agentKey(holder),
              waitingKey(), itemKey(interactionId), waitingSeqKey(), waitingLogKey(), agentSeqKey(), agentLogKey()),
          interactionId, holder, Long.toString(waitingSince.toEpochMilli()), Long.toString(now.toEpochMilli()),
          pause ? "1" : "0", pauseReason == null ? "" : pauseReason, exclude ? "1" : "0");
    });
  }

  /**
   * An assigned interaction leaves its agent (capacity freed, as by {@link #finish}) and waits again with {@code item}
   * (see transfer.lua); "ok", or "not-assigned" when it was not (any more) in the agent's assigned set.
   */
  public Future<String> transfer(String interactionId, String agentId, String channel, Instant now, JsonObject item, Instant waitingSince) {
    return transfer.run(List.of(agentKey(agentId), agentAssignedKey(agentId), waitingKey(), itemKey(interactionId),
            waitingSeqKey(), waitingLogKey(), agentSeqKey(), agentLogKey()),
        interactionId, channel, Long.toString(now.toEpochMilli()), item.encode(), Long.toString(waitingSince.toEpochMilli()), agentId);
  }

  /** Whether the agent's assigned set still holds the interaction. */
  public Future<Boolean> isAssigned(String agentId, String interactionId) {
    return redis.call(cmd().sismember(agentAssignedKey(agentId), interactionId));
  }

  /**
   * Replaces a waiting or offered interaction's classification (a supervisor's move), keeping its exclusions; "ok",
   * or "not-waiting" when it has no item.
   */
  public Future<String> reclassify(String interactionId, JsonObject classification) {
    return reclassify.run(List.of(itemKey(interactionId), waitingSeqKey(), waitingLogKey()), classification.encode(), interactionId);
  }

  /** The agent has finished an accepted interaction; gives its capacity back. "ok", or "not-assigned" when it was not. */
  public Future<String> finish(String interactionId, String agentId, String channel, Instant now) {
    return finish.run(List.of(agentKey(agentId), agentAssignedKey(agentId), agentSeqKey(), agentLogKey(), k("epoch")), interactionId,
        channel, Long.toString(now.toEpochMilli()), agentId, "0");
  }

  /**
   * As {@link #finish}, answering the agent's load and capacity after it from the same script (no read after it), or
   * null when the interaction was not (any more) assigned to the agent (nothing changed). This node also remembers the
   * agent's state the script left, so its agent index need not read it back ({@link #ownAgentChanges}).
   */
  public Future<AgentLoad> finishWithLoad(String interactionId, String agentId, String channel, Instant now) {
    return finish.run(List.of(agentKey(agentId), agentAssignedKey(agentId), agentSeqKey(), agentLogKey(), k("epoch")),
        withChannels(interactionId, channel, Long.toString(now.toEpochMilli()), agentId, "1")).map(r -> {
          if ("not-assigned".equals(r)) {
            return null;
          }
          JsonObject o = new JsonObject(r);
          AgentLive agent = agentOf(agentId, hashOf(o.getValue("agent")));
          ownAgents.put(o.getLong("aseq"), epochOf(o.getString("epoch")), agentId, agent);
          return new AgentLoad(agent.load(), agent.capacity());
        });
  }

  /** Every live offer (those listed with an expiry). */
  public Future<List<Offer>> offers() {
    return redis.call(cmd().zrange(offerExpiryKey(), 0, -1)).compose(ids -> {
      List<CompletableFuture<Map<String, String>>> calls = new ArrayList<>();
      for (String id : ids) {
        calls.add(cmd().hgetall(offerKey(id)).toCompletableFuture());
      }
      return redis.call(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))).map(x -> {
        List<Offer> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          Map<String, String> h = calls.get(i).join();
          if (!h.isEmpty() && h.get("agent") != null) {
            out.add(new Offer(ids.get(i), h.get("agent"), h.get("channel"), Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("offeredAt", "0"))),
                Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("expiresAt", "0")))));
          }
        }
        return out;
      });
    });
  }

  /** The assigned set of each agent. */
  public Future<Map<String, java.util.Set<String>>> assignedOf(List<String> agentIds) {
    List<CompletableFuture<java.util.Set<String>>> calls = new ArrayList<>();
    for (String id : agentIds) {
      calls.add(cmd().smembers(agentAssignedKey(id)).toCompletableFuture());
    }
    return redis.call(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))).map(x -> {
      Map<String, java.util.Set<String>> out = new LinkedHashMap<>();
      for (int i = 0; i < agentIds.size(); i++) {
        out.put(agentIds.get(i), calls.get(i).join());
      }
      return out;
    });
  }

  /** "chat=1;email=2;": an agent's load as the repair script compares it (channels sorted, zero loads left out). */
  public static String loadSignature(Map<String, Integer> load) {
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(load).forEach((ch, n) -> {
      if (n != null && n != 0) {
        sb.append(ch).append('=').append(n).append(';');
      }
    });
    return sb.toString();
  }

  /**
   * Sets an agent's load, assigned set and offers set to what the record says, if its load is still {@code observedLoad}
   * (see repair_agent.lua); "ok" or "changed".
   */
  public Future<String> repairAgent(String agentId, Map<String, Integer> observedLoad, Map<String, Integer> load,
      java.util.Collection<String> assigned, java.util.Collection<String> offered) {
    return repairAgent.run(List.of(agentKey(agentId), agentAssignedKey(agentId), agentOffersKey(agentId), agentSeqKey(), agentLogKey()),
        loadSignature(observedLoad), new JsonObject(new LinkedHashMap<>(load)).encode(), new JsonArray(List.copyOf(assigned)).encode(),
        new JsonArray(List.copyOf(offered)).encode(), agentId);
  }

  public Future<Offer> offer(String interactionId) {
    return redis.call(cmd().hgetall(offerKey(interactionId))).map(h -> h.isEmpty() ? null : new Offer(interactionId,
        h.get("agent"), h.get("channel"), Instant.ofEpochMilli(Long.parseLong(h.get("offeredAt"))),
        Instant.ofEpochMilli(Long.parseLong(h.get("expiresAt")))));
  }

  /** Interactions whose offers expired by {@code now}. */
  public Future<List<String>> expiredOffers(Instant now) {
    return redis.call(cmd().zrangebyscore(offerExpiryKey(), io.lettuce.core.Range.create(0, (double) now.toEpochMilli())));
  }

  /** Interactions offered to the agent now. */
  public Future<List<String>> offersOf(String agentId) {
    return redis.call(cmd().smembers(agentOffersKey(agentId))).map(ArrayList::new);
  }

  /** Interactions the agent has accepted and not finished. */
  public Future<List<String>> assignedTo(String agentId) {
    return redis.call(cmd().smembers(agentAssignedKey(agentId))).map(ArrayList::new);
  }

  /** Marks an interaction as assigned to an agent (rebuild after restart). */
  public Future<Void> putAssigned(String agentId, String interactionId) {
    return redis.call(cmd().sadd(agentAssignedKey(agentId), interactionId)).mapEmpty();
  }

  /** Restores a live offer (rebuild after restart); load is restored with the agent. */
  public Future<Void> putOffer(Offer o) {
    return redis.call(cmd().hset(offerKey(o.interactionId()), Map.of("agent", o.agentId(), "channel", o.channel(),
            "offeredAt", Long.toString(o.offeredAt().toEpochMilli()), "expiresAt", Long.toString(o.expiresAt().toEpochMilli()))))
        .compose(x -> redis.call(cmd().zadd(offerExpiryKey(), (double) o.expiresAt().toEpochMilli(), o.interactionId())))
        .compose(x -> redis.call(cmd().sadd(agentOffersKey(o.agentId()), o.interactionId())))
        .mapEmpty();
  }

  // ---- coordination

  /** The change logs' cursors as a pass's lease found them ({@link #tryPassLease}). */
  public record PassCursors(AgentCursor agents, WaitingCursor waiting) {}

  /**
   * As {@link #tryLease}, answering in the same round trip where the agents' and the waiting interactions' change logs
   * stand ({@link #agentCursor}, {@link #waitingCursor}: read right after the lease was taken); null when another holds
   * the lease (pass_lease.lua).
   */
  public Future<PassCursors> tryPassLease(String name, String token, long millis) {
    return passLease.run(List.of(k("lease:" + name), agentSeqKey(), waitingSeqKey(), waitingFloorKey(), k("epoch")), token,
        Long.toString(millis)).map(r -> {
          if (r == null || r.isEmpty()) {
            return null;
          }
          JsonArray v = new JsonArray(r);
          String epoch = v.getValue(3) instanceof String e ? e : null;
          return new PassCursors(new AgentCursor(counter(v.getValue(0)), epoch),
              new WaitingCursor(counter(v.getValue(1)), counter(v.getValue(2)), epoch));
        });
  }

  private static long counter(Object value) {
    return value instanceof String s ? Long.parseLong(s) : 0;
  }

  /** Tries to take a short lease named {@code name} for {@code token}; true when taken. */
  public Future<Boolean> tryLease(String name, String token, long millis) {
    return redis.call(cmd().set(k("lease:" + name), token, io.lettuce.core.SetArgs.Builder.nx().px(millis)))
        .map("OK"::equals);
  }

  public Future<Void> releaseLease(String name, String token) {
    return redis.call(cmd().<Long>eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        ScriptOutputType.INTEGER, new String[] {k("lease:" + name)}, token)).mapEmpty();
  }

  /** The marker that live state was built from PostgreSQL; absent after Redis lost its data. */
  public Future<String> epoch() {
    return redis.call(cmd().get(k("epoch")));
  }

  public Future<Void> setEpoch(String epoch) {
    return redis.call(cmd().set(k("epoch"), epoch)).mapEmpty();
  }

  /** Deletes every routing key (before a rebuild). */
  public Future<Void> clear() {
    ownAgents.clear();
    ownWaiting.clear();
    return scanDelete(ScanCursor.INITIAL);
  }

  // ---- this node's own changes

  /**
   * A change to live state one of this node's own scripts made and answered: the agent or interaction, the change's
   * number in its log ({@code agent_log.lua}, {@code waiting_log.lua}) and what the change left: the agent's state, or the
   * waiting item ({@code null}: the interaction no longer waits).
   */
  public record OwnChange<T>(String id, long seq, T value) {}

  /**
   * The changes to agents numbered after {@code after} up to {@code upTo} in live state of {@code epoch}, when every one
   * of them was made by this node's own scripts that answer the agent's state (a reservation, a finish with its load):
   * agent id → its last such change; null when any change in that range was made otherwise (another node, another
   * script) or is no longer remembered. An index at {@code after} that is told {@code upTo} needs no read then.
   */
  public Map<String, OwnChange<AgentLive>> ownAgentChanges(long after, long upTo, String epoch) {
    return ownAgents.all(after, upTo, epoch);
  }

  /** The agent's state as this node's own script left it at change {@code seq} of {@code epoch}, or null when unknown. */
  public OwnChange<AgentLive> ownAgentChange(String agentId, long seq, String epoch) {
    return ownAgents.get(agentId, seq, epoch);
  }

  /** As {@link #ownAgentChanges}, for the waiting interactions (queued or reserved by this node). */
  public Map<String, OwnChange<RawItem>> ownWaitingChanges(long after, long upTo, String epoch) {
    return ownWaiting.all(after, upTo, epoch);
  }

  /** As {@link #ownAgentChange}, for a waiting interaction. */
  public OwnChange<RawItem> ownWaitingChange(String interactionId, long seq, String epoch) {
    return ownWaiting.get(interactionId, seq, epoch);
  }

  /** {@code args} followed by every channel's wire name (the channels whose capacity and load a script answers). */
  private static String[] withChannels(String... args) {
    List<String> out = new ArrayList<>(List.of(args));
    for (io.switchboard.hub.api.Channel c : io.switchboard.hub.api.Channel.values()) {
      out.add(c.wireName());
    }
    return out.toArray(String[]::new);
  }

  /** A script's epoch answer: '' (none) as null. */
  private static String epochOf(String answered) {
    return answered == null || answered.isEmpty() ? null : answered;
  }

  /** A hash as a script answers it ({@code agent_fields}: [field, value, ...]; an empty one may come as {}), as a map. */
  private static Map<String, String> hashOf(Object answered) {
    Map<String, String> h = new LinkedHashMap<>();
    if (!(answered instanceof JsonArray flat)) {
      return h;
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      h.put(flat.getString(i), flat.getString(i + 1));
    }
    return h;
  }

  /**
   * The latest {@code kept} changes of one kind this node's scripts made and answered, by change number (thread-safe: the
   * scripts' answers arrive on any thread, the indexes read on the routing verticle's). An entry is the state at that
   * change only in the epoch it was made in; a change number of another epoch (Redis lost its data) does not match.
   */
  private static final class OwnChanges<T> {
    private record Entry<T>(String epoch, String id, T value) {}

    private final int kept;
    private final java.util.TreeMap<Long, Entry<T>> bySeq = new java.util.TreeMap<>();

    OwnChanges(int kept) {
      this.kept = kept;
    }

    synchronized void put(long seq, String epoch, String id, T value) {
      bySeq.put(seq, new Entry<>(epoch, id, value));
      while (bySeq.size() > kept) {
        bySeq.pollFirstEntry();
      }
    }

    synchronized OwnChange<T> get(String id, long seq, String epoch) {
      Entry<T> e = bySeq.get(seq);
      return e != null && e.id().equals(id) && java.util.Objects.equals(e.epoch(), epoch) ? new OwnChange<>(id, seq, e.value()) : null;
    }

    synchronized Map<String, OwnChange<T>> all(long after, long upTo, String epoch) {
      if (upTo <= after) {
        return Map.of();
      }
      var range = bySeq.subMap(after, false, upTo, true);
      if (range.size() != upTo - after) {
        return null;
      }
      Map<String, OwnChange<T>> out = new LinkedHashMap<>();
      for (var e : range.entrySet()) {
        if (!java.util.Objects.equals(e.getValue().epoch(), epoch)) {
          return null;
        }
        out.put(e.getValue().id(), new OwnChange<>(e.getValue().id(), e.getKey(), e.getValue().value()));
      }
      return out;
    }

    synchronized void clear() {
      bySeq.clear();
    }
  }

  private Future<Void> scanDelete(ScanCursor cursor) {
    return redis.call(cmd().scan(cursor, ScanArgs.Builder.matches(k("*")).limit(500))).compose((KeyScanCursor<String> page) -> {
      Future<?> del = page.getKeys().isEmpty() ? Future.succeededFuture()
          : redis.call(cmd().del(page.getKeys().toArray(String[]::new)));
      return del.compose(x -> page.isFinished() ? Future.succeededFuture() : scanDelete(page));
    });
  }

  private static String load(String name) {
    try (InputStream in = RoutingState.class.getResourceAsStream("/redis/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Lua script run by EVALSHA, loaded again when the server has forgotten it (restart, SCRIPT FLUSH). */
  private final class Script {
    private final String source;
    private volatile String sha;

    Script(String source) {
      this.source = source;
    }

    Future<String> run(List<String> keys, String... args) {
      String[] k = keys.toArray(String[]::new);
      Future<String> first = sha == null ? loadScript() : Future.succeededFuture(sha);
      return first.compose(s -> redis.call(cmd().<String>evalsha(s, ScriptOutputType.VALUE, k, args))
          .recover(e -> e.getMessage() != null && e.getMessage().contains("NOSCRIPT")
              ? loadScript().compose(s2 -> redis.call(cmd().<String>evalsha(s2, ScriptOutputType.VALUE, k, args)))
              : Future.failedFuture(e)));
    }

    private Future<String> loadScript() {
      return redis.call(cmd().scriptLoad(source)).map(s -> {
        sha = s;
        return s;
      });
    }
  }
}

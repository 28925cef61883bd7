package io.switchboard.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Pairs waiting interactions with agents, one pass at a time, and explains each decision.
 *
 * <p>A pass ({@link #match}) takes the interactions in order of effective priority (the {@link Target} in force after
 * their wait so far), highest first, then longest wait, then interaction id. For each it checks every agent, in this
 * order, and excludes with a reason: not available; declined it or let its offer lapse; serves none of the target's
 * queues; no capacity left on the interaction's channel; busy on an exclusive channel (voice); the interaction's
 * channel is exclusive and the agent has other work; a required skill missing or below its level. Eligible agents
 * score the sum of their proficiencies in the required skills; the best score wins, ties go to the customer's last
 * (sticky) agent, then to the longest idle, then to the lowest agent id. The winner's load is counted at once, so later
 * interactions in the same pass never overfill an agent or give it two exclusive interactions. An interaction nobody can
 * take gets a decision without agent and does not hold up those behind it. Past the queue's maxWait (its final step,
 * which drops every requirement) an interaction nobody else can take goes to an agent who declined it or let an offer
 * lapse: maxWait is a promise, and a decliner comes last rather than never.
 *
 * <p>An interaction transferred to one agent ({@link WaitingInteraction#targetAt}) may go only to that agent, whatever
 * its queues and skills: every other agent is excluded as {@value #TRANSFERRED_LABEL}, and the target is checked
 * only for availability, a decline, capacity and exclusive work. When the target lapses (time, decline, timeout) the
 * interaction is matched as usual.
 *
 * <p>Explanations: by default a decision lists the best {@value #SHOWN_ELIGIBLE} eligible agents, the sticky agent
 * whatever its verdict, and counts the others per exclusion reason (see {@link Decision}); {@link
 * #withFullExplanations()} lists every agent with its exact reason (slower; for drill-down and tests).
 *
 * <p>Threading: stateless and thread-safe; each pass works on its own copy of the agents' loads and never changes its
 * arguments. Failure: throws {@link IllegalArgumentException} for two agents with one id; nothing else.
 *
 * <p>Size (over 400 lines, #15): one engine kept whole on purpose. The pass, its exclusion reasons, the scoring and
 * tie-breaks and the explanation of each decision must agree line for line (an explanation that says why an agent
 * lost has to use the rule that made it lose), and the property tests hold them together; split apart, a change to
 * one would silently disagree with the others.
 */
public final class Matcher {
  /** Why an agent other than the target of a transfer cannot take the interaction. */
  public static final String TRANSFERRED_LABEL = "transferred to another agent";

  /** How many eligible agents a decision lists by default. */
  public static final int SHOWN_ELIGIBLE = 20;

  private static final Matcher CAPPED = new Matcher(false);
  private static final Matcher FULL = new Matcher(true);

  private final boolean full;

  /** A matcher that lists the best {@value #SHOWN_ELIGIBLE} eligible agents per decision and counts the rest. */
  public Matcher() {
    this(false);
  }

  private Matcher(boolean full) {
    this.full = full;
  }

  /** The default matcher (shared instance). */
  public static Matcher capped() {
    return CAPPED;
  }

  /** A matcher whose decisions list every agent with its exact verdict. */
  public static Matcher withFullExplanations() {
    return FULL;
  }

  /**
   * One matching pass.
   *
   * @param waiting the interactions waiting now, in any order
   * @param agents every agent to consider (unavailable ones too, so decisions can say why they were left out)
   * @param now the moment of the pass; waits are measured up to it
   * @return one decision per waiting interaction, in the order they were decided (highest effective priority first)
   */
  public List<Decision> match(List<WaitingInteraction> waiting, Collection<AgentSnapshot> agents, Instant now) {
    Objects.requireNonNull(now, "now");
    if (waiting.isEmpty()) {
      return List.of();
    }
    Pass pass = new Pass(agents, full);
    int m = waiting.size();
    Item[] items = new Item[m];
    Map<Classification, Target[]> targets = new IdentityHashMap<>();
    for (int i = 0; i < m; i++) {
      items[i] = item(targets, waiting.get(i), now);
    }
    Arrays.sort(items, ORDER);
    List<Decision> decisions = new ArrayList<>(m);
    for (Item item : items) {
      decisions.add(item.onlyAgent == null
          ? pass.decide(item.interaction, item.target)
          : pass.decideTargeted(item.interaction, item.target, item.onlyAgent));
    }
    return decisions;
  }

  /**
   * The choices of a pass, and how many interactions it had to decide to make them.
   *
   * @param chosen the decisions that chose an agent, in the order they were made (highest effective priority first)
   * @param decided how many waiting interactions were decided (the rest could not have been given an agent)
   */
  public record Choice(List<Decision> chosen, int decided) {
    public Choice {
      chosen = List.copyOf(chosen);
    }
  }

  /**
   * The choices {@link #match} makes, without deciding the interactions that could not get an agent anyway.
   *
   * <p>The same pass as {@link #match}, in the same order and with the same loads, so every decision returned is equal
   * to the one {@link #match} returns for that interaction, and an interaction {@link #match} gives an agent is here
   * too. What it saves: an interaction is decided only while some agent still has room on its channel (capacity left,
   * no exclusive work in the way); interactions of channels nobody has room on are not even ranked, and once no agent
   * has room on the channel of any interaction still ranked the pass stops. The rest are taken best first from a heap:
   * a pass with one free place and thousands waiting costs one walk over the waiting interactions and a handful of
   * decisions, not one decision per waiting interaction.
   *
   * @param waiting the interactions waiting now, in any order
   * @param agents the agents to consider (usually those who can take work: see {@link #match} for explanations
   *     against every agent)
   * @param now the moment of the pass; waits are measured up to it
   */
  public Choice choose(Collection<WaitingInteraction> waiting, Collection<AgentSnapshot> agents, Instant now) {
    Objects.requireNonNull(now, "now");
    if (waiting.isEmpty()) {
      return new Choice(List.of(), 0);
    }
    Pass pass = new Pass(agents, full);
    Map<Classification, Target[]> targets = new IdentityHashMap<>();
    PriorityQueue<Item> ranked = new PriorityQueue<>(Math.max(1, waiting.size()), ORDER);
    // Room only shrinks as the pass goes on: an interaction of a channel nobody has room on now is never ranked.
    int[] left = new int[pass.channels];
    for (WaitingInteraction w : waiting) {
      int ch = pass.channelIndex.getOrDefault(w.channel(), -1);
      if (ch >= 0 && pass.roomOn[ch] > 0) {
        left[ch]++;
        ranked.add(item(targets, w, now));
      }
    }
    List<Decision> chosen = new ArrayList<>();
    int decided = 0;
    while (pass.rankedWithRoom(left)) {
      Item item = ranked.poll();
      int ch = pass.channelIndex.get(item.interaction.channel());
      left[ch]--;
      if (pass.roomOn[ch] == 0) {
        continue;
      }
      decided++;
      Decision d = item.onlyAgent == null
          ? pass.decide(item.interaction, item.target)
          : pass.decideTargeted(item.interaction, item.target, item.onlyAgent);
      if (d.chosenAgentId() != null) {
        chosen.add(d);
      }
    }
    return new Choice(chosen, decided);
  }

  private static Item item(Map<Classification, Target[]> targets, WaitingInteraction w, Instant now) {
    Duration waited = Duration.between(w.waitingSince(), now);
    if (waited.isNegative()) {
      waited = Duration.ZERO;
    }
    return new Item(w, target(targets, w.classification(), waited), w.targetAt(now));
  }

  /** @param onlyAgent the transfer target in force, or null */
  private record Item(WaitingInteraction interaction, Target target, String onlyAgent) {}

  private static final Comparator<Item> ORDER =
      Comparator.<Item>comparingInt(i -> i.target.priority())
          .reversed()
          .thenComparing(i -> i.interaction.waitingSince())
          .thenComparing(i -> i.interaction.interactionId());

  /** Whether {@code t} is the classification's final step and that step is a queue's maxWait (it drops every requirement). */
  static boolean atMaxWait(Classification c, Target t) {
    List<RelaxationStep> steps = c.steps();
    return !steps.isEmpty() && t.step() == steps.size()
        && steps.get(steps.size() - 1).actions().stream().anyMatch(a -> a instanceof RelaxationAction.DropAll);
  }

  /** Targets are shared per classification and step count within a pass (classifications are shared per rule). */
  private static Target target(Map<Classification, Target[]> cache, Classification c, Duration waited) {
    Target[] byStep = cache.get(c);
    if (byStep == null) {
      byStep = isSorted(c) ? new Target[c.steps().size() + 1] : new Target[0];
      cache.put(c, byStep);
    }
    if (byStep.length == 0) {
      return c.at(waited);
    }
    int k = c.stepsInForce(waited);
    Target t = byStep[k];
    if (t == null) {
      t = c.at(waited);
      byStep[k] = t;
    }
    return t;
  }

  private static boolean isSorted(Classification c) {
    List<RelaxationStep> steps = c.steps();
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i).after().compareTo(steps.get(i - 1).after()) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The agents of one pass as flat arrays, with their loads as the pass goes on. */
  private static final class Pass {
    // exclusion categories; exclusive-channel and skill categories follow (see reasonCount)
    static final int NOT_AVAILABLE = 0;
    static final int DECLINED = 1;
    static final int NOT_IN_QUEUE = 2;
    static final int NO_CAPACITY = 3;
    static final int NEEDS_IDLE = 4;
    static final int ON_EXCLUSIVE = 5;

    static final int NOTE_QUEUE = 0;
    static final int NOTE_SKILL = 1;
    static final int NOTE_CAPACITY = 2;
    static final int NOTE_LOAD = 3;
    static final int NOTE_EXCLUSIVE = 4;

    final boolean full;
    final int n;
    final AgentSnapshot[] agent;
    final String[] id;
    final boolean[] available;
    final boolean[] servesAll;
    final long[] queueBits;
    final int queueWords;
    final Map<String, Integer> queueIndex = new HashMap<>();
    final Map<String, Integer> skillIndex = new HashMap<>();
    final int skillCount;
    final byte[] level;
    final Map<String, Integer> channelIndex = new HashMap<>();
    final String[] channelName;
    final int channels;
    final int[] capacity;
    final int[] load;
    final boolean[] exclusive;
    final int[] totalLoad;
    final int[] exclusiveLoad;
    final Instant[] idleSince;
    final int[] availableAgents;
    /** Per channel, how many available agents have room on it now (capacity left, no exclusive work in the way). */
    final int[] roomOn;
    final int unavailable;
    final Map<String, Integer> byId;
    final Map<Target, Compiled> compiled = new IdentityHashMap<>();

    final int[] declinedStamp;
    int stamp;
    final int[] top;
    final int[] topScore;
    final int[] eligibleAll;
    final int[] eligibleScore;

    Pass(Collection<AgentSnapshot> agents, boolean full) {
      this.full = full;
      n = agents.size();
      agent = agents.toArray(new AgentSnapshot[0]);
      id = new String[n];
      byId = new HashMap<>(n * 2);
      for (int a = 0; a < n; a++) {
        id[a] = agent[a].agentId();
        if (byId.put(id[a], a) != null) {
          throw new IllegalArgumentException("two agents with id " + id[a]);
        }
      }

      // One walk over every agent's maps (the costly part of a pass with few interactions): entries are noted as
      // (kind, agent, index, value) and replayed into flat arrays once the dictionaries are complete.
      int[] notes = new int[Math.max(64, n * 64)];
      int len = 0;
      available = new boolean[n];
      servesAll = new boolean[n];
      idleSince = new Instant[n];
      int[] avail = new int[n];
      int availCount = 0;
      for (int a = 0; a < n; a++) {
        AgentSnapshot s = agent[a];
        available[a] = s.available();
        if (s.available()) avail[availCount++] = a;
        servesAll[a] = s.queues().isEmpty();
        idleSince[a] = s.idleSince();
        int need = len + 4 * (s.queues().size() + s.skills().size() + s.capacity().size() + s.load().size() + s.exclusiveChannels().size());
        if (need > notes.length) notes = Arrays.copyOf(notes, Math.max(need, notes.length * 2));
        for (String q : s.queues()) {
          len = note(notes, len, NOTE_QUEUE, a, index(queueIndex, q), 0);
        }
        for (Map.Entry<String, Integer> e : s.skills().entrySet()) {
          len = note(notes, len, NOTE_SKILL, a, index(skillIndex, e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Integer> e : s.capacity().entrySet()) {
          len = note(notes, len, NOTE_CAPACITY, a, index(channelIndex, e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Integer> e : s.load().entrySet()) {
          len = note(notes, len, NOTE_LOAD, a, index(channelIndex, e.getKey()), e.getValue());
        }
        for (String c : s.exclusiveChannels()) {
          len = note(notes, len, NOTE_EXCLUSIVE, a, index(channelIndex, c), 0);
        }
      }
      queueWords = Math.max(1, (queueIndex.size() + 63) / 64);
      skillCount = Math.max(1, skillIndex.size());
      channels = Math.max(1, channelIndex.size());
      channelName = new String[channels];
      channelIndex.forEach((name, i) -> channelName[i] = name);
      queueBits = new long[n * queueWords];
      level = new byte[n * skillCount];
      capacity = new int[n * channels];
      load = new int[n * channels];
      exclusive = new boolean[n * channels];
      totalLoad = new int[n];
      exclusiveLoad = new int[n];
      for (int i = 0; i < len; i += 4) {
        int a = notes[i + 1];
        int x = notes[i + 2];
        int v = notes[i + 3];
        switch (notes[i]) {
          case NOTE_QUEUE -> queueBits[a * queueWords + (x >>> 6)] |= 1L << (x & 63);
          case NOTE_SKILL -> level[a * skillCount + x] = (byte) Math.max(0, Math.min(100, v));
          case NOTE_CAPACITY -> capacity[a * channels + x] = v;
          case NOTE_LOAD -> {
            load[a * channels + x] = Math.max(0, v);
            totalLoad[a] += Math.max(0, v);
          }
          default -> exclusive[a * channels + x] = true;
        }
      }
      for (int a = 0; a < n; a++) {
        if (totalLoad[a] == 0) continue;
        for (int c = 0; c < channels; c++) {
          if (exclusive[a * channels + c]) exclusiveLoad[a] += load[a * channels + c];
        }
      }
      availableAgents = Arrays.copyOf(avail, availCount);
      roomOn = new int[channels];
      for (int a : availableAgents) {
        for (int c = 0; c < channels; c++) {
          if (excludeByLoad(a, c) < 0) roomOn[c]++;
        }
      }
      unavailable = n - availCount;
      declinedStamp = new int[n];
      top = new int[full ? 0 : SHOWN_ELIGIBLE];
      topScore = new int[top.length];
      eligibleAll = new int[full ? n : 0];
      eligibleScore = new int[eligibleAll.length];
    }

    static int note(int[] notes, int len, int kind, int agent, int index, int value) {
      notes[len] = kind;
      notes[len + 1] = agent;
      notes[len + 2] = index;
      notes[len + 3] = value;
      return len + 4;
    }

    static int index(Map<String, Integer> dictionary, String key) {
      Integer i = dictionary.get(key);
      if (i == null) {
        i = dictionary.size();
        dictionary.put(key, i);
      }
      return i;
    }

    /** A target translated to this pass's indexes, with its reason labels. */
    final class Compiled {
      final int[] reqSkill;
      final int[] reqMin;
      final String[] reqName;
      final int[] queues;
      final String queueLabel;

      Compiled(Target t) {
        int r = t.requirements().size();
        reqSkill = new int[r];
        reqMin = new int[r];
        reqName = new String[r];
        for (int i = 0; i < r; i++) {
          SkillRequirement req = t.requirements().get(i);
          reqSkill[i] = skillIndex.getOrDefault(req.skill(), -1);
          reqMin[i] = req.minProficiency();
          reqName[i] = req.skill();
        }
        TreeSet<String> sorted = new TreeSet<>(t.queues());
        queues = sorted.stream().filter(queueIndex::containsKey).mapToInt(queueIndex::get).toArray();
        queueLabel = (sorted.size() == 1 ? "not in queue " : "not in queues ") + String.join(", ", sorted);
      }
    }

    /**
     * Decides one interaction. maxWait is a promise: when the queue's final step (at maxWait) is in force and no agent
     * can take the interaction, the agents who declined it (or let an offer lapse) are considered again, so it goes to
     * a decliner rather than to nobody; agents who did not decline always come first.
     */
    Decision decide(WaitingInteraction w, Target t) {
      Decision d = decide(w, t, true);
      if (d.chosenAgentId() == null && !w.excludedAgents().isEmpty() && atMaxWait(w.classification(), t)) {
        Decision again = decide(w, t, false);
        if (again.chosenAgentId() != null) {
          return again;
        }
      }
      return d;
    }

    Decision decide(WaitingInteraction w, Target t, boolean honourDeclines) {
      Compiled ct = compiled.computeIfAbsent(t, Compiled::new);
      int ch = channelIndex.getOrDefault(w.channel(), -1);
      int reqs = ct.reqSkill.length;
      int[] counts = new int[ON_EXCLUSIVE + channels + 2 * reqs];
      stamp++;
      for (String declined : honourDeclines ? w.excludedAgents() : java.util.Set.<String>of()) {
        Integer a = byId.get(declined);
        if (a != null) declinedStamp[a] = stamp;
      }
      Integer stickyBoxed = w.lastAgentId() == null ? null : byId.get(w.lastAgentId());
      int sticky = stickyBoxed == null ? -1 : stickyBoxed;

      List<Decision.Verdict> excludedVerdicts = full ? new ArrayList<>() : null;
      Decision.Verdict stickyVerdict = null;
      int eligible = 0;
      int shown = 0;
      if (full) {
        for (int a = 0; a < n; a++) {
          int reason = exclude(a, ch, ct);
          if (reason >= 0) {
            counts[reason]++;
            excludedVerdicts.add(new Decision.Verdict(id[a], null, reasonText(a, reason, ch, w.channel(), ct), a == sticky));
          } else {
            eligibleAll[eligible] = a;
            eligibleScore[eligible] = score(a, ct);
            eligible++;
          }
        }
        sortEligible(eligible, sticky);
      } else {
        counts[NOT_AVAILABLE] = unavailable;
        if (sticky >= 0 && !available[sticky]) {
          stickyVerdict = new Decision.Verdict(id[sticky], null, "not available", true);
        }
        for (int a : availableAgents) {
          int reason = exclude(a, ch, ct);
          if (reason >= 0) {
            counts[reason]++;
            if (a == sticky) {
              stickyVerdict = new Decision.Verdict(id[a], null, reasonText(a, reason, ch, w.channel(), ct), true);
            }
            continue;
          }
          eligible++;
          shown = offer(a, score(a, ct), shown, sticky);
        }
      }

      int[] ranked = full ? eligibleAll : top;
      int[] rankedScore = full ? eligibleScore : topScore;
      int listed = full ? eligible : shown;
      String chosen = null;
      List<Decision.Verdict> verdicts = new ArrayList<>(listed + (full ? excludedVerdicts.size() : 1));
      for (int i = 0; i < listed; i++) {
        int a = ranked[i];
        verdicts.add(new Decision.Verdict(id[a], (double) rankedScore[i], null, a == sticky));
        if (a == sticky) stickyVerdict = null;
      }
      if (full) {
        verdicts.addAll(excludedVerdicts);
      } else if (stickyVerdict != null) {
        verdicts.add(stickyVerdict);
      } else if (sticky >= 0 && listed == SHOWN_ELIGIBLE && !contains(ranked, listed, sticky)) {
        verdicts.add(new Decision.Verdict(id[sticky], (double) score(sticky, ct), null, true));
      }
      if (listed > 0) {
        int a = ranked[0];
        chosen = id[a];
        take(a, ch);
      }
      return new Decision(w.interactionId(), t, chosen, verdicts, eligible, labels(counts, ct, ch < 0 ? w.channel() : channelName[ch]));
    }

    private static boolean contains(int[] xs, int len, int x) {
      for (int i = 0; i < len; i++) if (xs[i] == x) return true;
      return false;
    }

    /**
     * A decision for an interaction transferred to one agent: every other agent is excluded ("transferred to another
     * agent"); the target is checked for availability, declines, capacity and exclusive work, but not for queue or
     * skills (a person chose it).
     */
    Decision decideTargeted(WaitingInteraction w, Target t, String only) {
      Compiled ct = compiled.computeIfAbsent(t, Compiled::new);
      int ch = channelIndex.getOrDefault(w.channel(), -1);
      int[] counts = new int[ON_EXCLUSIVE + channels + 2 * ct.reqSkill.length + 1];
      int transferred = counts.length - 1;
      stamp++;
      for (String declined : w.excludedAgents()) {
        Integer a = byId.get(declined);
        if (a != null) declinedStamp[a] = stamp;
      }
      Integer boxed = byId.get(only);
      int target = boxed == null ? -1 : boxed;
      List<Decision.Verdict> verdicts = new ArrayList<>();
      String chosen = null;
      int eligible = 0;
      if (target >= 0) {
        int reason = excludeIgnoringQueueAndSkills(target, ch);
        if (reason >= 0) {
          counts[reason]++;
          verdicts.add(new Decision.Verdict(id[target], null, reasonText(target, reason, ch, w.channel(), ct), false));
        } else {
          eligible = 1;
          verdicts.add(0, new Decision.Verdict(id[target], (double) score(target, ct), null, false));
          chosen = id[target];
          take(target, ch);
        }
      }
      counts[transferred] = target >= 0 ? n - 1 : n;
      if (full) {
        for (int a = 0; a < n; a++) {
          if (a != target) verdicts.add(new Decision.Verdict(id[a], null, TRANSFERRED_LABEL, false));
        }
      }
      Map<String, Integer> excluded = labels(counts, ct, ch < 0 ? w.channel() : channelName[ch]);
      return new Decision(w.interactionId(), t, chosen, verdicts, eligible, excluded);
    }

    /** The exclusion category for the target of a transfer (queue and skills do not count), or -1. */
    int excludeIgnoringQueueAndSkills(int a, int ch) {
      if (!available[a]) return NOT_AVAILABLE;
      if (declinedStamp[a] == stamp) return DECLINED;
      return excludeByLoad(a, ch);
    }

    /** Whether agent {@code a} has room on channel {@code ch} (capacity, exclusive work): -1, or the category. */
    int excludeByLoad(int a, int ch) {
      if (ch < 0) return NO_CAPACITY;
      int slot = a * channels + ch;
      int cap = capacity[slot];
      if (cap <= 0 || load[slot] >= cap) return NO_CAPACITY;
      if (exclusiveLoad[a] > 0) return ON_EXCLUSIVE + exclusiveChannel(a);
      if (exclusive[slot] && totalLoad[a] > 0) return NEEDS_IDLE;
      return -1;
    }

    /** The exclusion category for agent {@code a}, or -1 when eligible. */
    int exclude(int a, int ch, Compiled ct) {
      if (!available[a]) return NOT_AVAILABLE;
      if (declinedStamp[a] == stamp) return DECLINED;
      if (!servesAll[a] && !serves(a, ct.queues)) return NOT_IN_QUEUE;
      int byLoad = excludeByLoad(a, ch);
      if (byLoad >= 0) return byLoad;
      int base = a * skillCount;
      for (int r = 0; r < ct.reqSkill.length; r++) {
        int s = ct.reqSkill[r];
        int lvl = s < 0 ? 0 : level[base + s];
        if (lvl <= 0) return ON_EXCLUSIVE + channels + 2 * r;
        if (lvl < ct.reqMin[r]) return ON_EXCLUSIVE + channels + 2 * r + 1;
      }
      return -1;
    }

    boolean serves(int a, int[] queues) {
      int base = a * queueWords;
      for (int q : queues) {
        if ((queueBits[base + (q >>> 6)] & (1L << (q & 63))) != 0) return true;
      }
      return false;
    }

    int exclusiveChannel(int a) {
      int base = a * channels;
      for (int c = 0; c < channels; c++) {
        if (exclusive[base + c] && load[base + c] > 0) return c;
      }
      return 0;
    }

    int score(int a, Compiled ct) {
      int base = a * skillCount;
      int sum = 0;
      for (int s : ct.reqSkill) {
        if (s >= 0) sum += level[base + s];
      }
      return sum;
    }

    /** Whether agent a (score sa) ranks before agent b (score sb). */
    boolean before(int a, int sa, int b, int sb, int sticky) {
      if (sa != sb) return sa > sb;
      if ((a == sticky) != (b == sticky)) return a == sticky;
      int idle = idleSince[a].compareTo(idleSince[b]);
      if (idle != 0) return idle < 0;
      return id[a].compareTo(id[b]) < 0;
    }

    /** Inserts agent a into the bounded best-first list; returns its new length. */
    int offer(int a, int score, int shown, int sticky) {
      int k = top.length;
      if (shown == k && !before(a, score, top[k - 1], topScore[k - 1], sticky)) {
        return shown;
      }
      int i = shown == k ? k - 1 : shown;
      while (i > 0 && before(a, score, top[i - 1], topScore[i - 1], sticky)) {
        top[i] = top[i - 1];
        topScore[i] = topScore[i - 1];
        i--;
      }
      top[i] = a;
      topScore[i] = score;
      return shown == k ? k : shown + 1;
    }

    void sortEligible(int count, int sticky) {
      Integer[] order = new Integer[count];
      for (int i = 0; i < count; i++) order[i] = i;
      Arrays.sort(
          order,
          (x, y) -> {
            int a = eligibleAll[x];
            int b = eligibleAll[y];
            if (before(a, eligibleScore[x], b, eligibleScore[y], sticky)) return -1;
            if (before(b, eligibleScore[y], a, eligibleScore[x], sticky)) return 1;
            return 0;
          });
      int[] agents = new int[count];
      int[] scores = new int[count];
      for (int i = 0; i < count; i++) {
        agents[i] = eligibleAll[order[i]];
        scores[i] = eligibleScore[order[i]];
      }
      System.arraycopy(agents, 0, eligibleAll, 0, count);
      System.arraycopy(scores, 0, eligibleScore, 0, count);
    }

    void take(int a, int ch) {
      int slot = a * channels + ch;
      boolean[] before = new boolean[channels];
      for (int c = 0; c < channels; c++) before[c] = excludeByLoad(a, c) < 0;
      load[slot]++;
      totalLoad[a]++;
      if (exclusive[slot]) exclusiveLoad[a]++;
      for (int c = 0; c < channels; c++) {
        if (before[c] && excludeByLoad(a, c) >= 0) roomOn[c]--;
      }
    }

    /**
     * Whether an interaction still ranked ({@code left}: how many per channel) is on a channel some available agent has
     * room on: when none is, no further decision of the pass can choose an agent.
     */
    boolean rankedWithRoom(int[] left) {
      for (int c = 0; c < channels; c++) {
        if (left[c] > 0 && roomOn[c] > 0) return true;
      }
      return false;
    }

    String reasonText(int a, int reason, int ch, String channel, Compiled ct) {
      switch (reason) {
        case NOT_AVAILABLE:
          return "not available";
        case DECLINED:
          return "declined or let the offer lapse";
        case NOT_IN_QUEUE:
          return ct.queueLabel;
        case NO_CAPACITY: {
          int cap = ch < 0 ? 0 : capacity[a * channels + ch];
          if (cap <= 0) return "takes no " + channel + " (capacity 0)";
          return "no " + channel + " capacity left (" + load[a * channels + ch] + "/" + cap + ")";
        }
        case NEEDS_IDLE:
          return channel + " needs an agent with no other work";
        default:
          break;
      }
      if (reason < ON_EXCLUSIVE + channels) {
        return "on " + article(channelName[reason - ON_EXCLUSIVE]) + " interaction";
      }
      // every skill that falls short, not only the first
      StringBuilder b = new StringBuilder();
      int base = a * skillCount;
      for (int r = 0; r < ct.reqSkill.length; r++) {
        int s = ct.reqSkill[r];
        int lvl = s < 0 ? 0 : level[base + s];
        if (lvl >= ct.reqMin[r]) continue;
        if (b.length() > 0) b.append(", ");
        if (lvl <= 0) b.append("lacks ").append(ct.reqName[r]);
        else b.append(ct.reqName[r]).append(' ').append(lvl).append(" < ").append(ct.reqMin[r]);
      }
      return b.toString();
    }

    Map<String, Integer> labels(int[] counts, Compiled ct, String channel) {
      Map<String, Integer> out = new LinkedHashMap<>();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] == 0) continue;
        String label;
        if (i == NOT_AVAILABLE) label = "not available";
        else if (i == DECLINED) label = "declined or let the offer lapse";
        else if (i == NOT_IN_QUEUE) label = ct.queueLabel;
        else if (i == NO_CAPACITY) label = "no " + channel + " capacity left";
        else if (i == NEEDS_IDLE) label = channel + " needs an agent with no other work";
        else if (i < ON_EXCLUSIVE + channels) label = "on " + article(channelName[i - ON_EXCLUSIVE]) + " interaction";
        else if (i == ON_EXCLUSIVE + channels + 2 * ct.reqSkill.length) label = TRANSFERRED_LABEL;
        else {
          int r = (i - ON_EXCLUSIVE - channels) / 2;
          boolean lacks = (i - ON_EXCLUSIVE - channels) % 2 == 0;
          label = lacks ? "lacks " + ct.reqName[r] : ct.reqName[r] + " below " + ct.reqMin[r];
        }
        out.merge(label, counts[i], Integer::sum);
      }
      return out;
    }

    static String article(String word) {
      return (!word.isEmpty() && "aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0 ? "an " : "a ") + word;
    }
  }
}

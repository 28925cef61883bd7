package io.switchboard.hub.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.WaitingInteraction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Queue positions are the {@link Matcher}'s order: for seeded random waiting sets (several queues, priorities, relaxation
 * steps that raise or lower priority, some due and some not, waits in the future, many ties of priority and wait), the
 * interactions of each queue in the order the matcher decides them (with no agent, every one is decided, in its order)
 * are exactly positions 1, 2, 3... of {@link QueuePositions#rank}.
 */
@DisplayName("queue positions follow the matcher's order")
class QueuePositionsOrderTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void everySeededWaitingSetIsRankedAsTheMatcherDecides() {
    for (int seed = 1; seed <= 200; seed++) {
      Random r = new Random(seed);
      List<WaitingInteraction> waiting = new ArrayList<>();
      int n = r.nextInt(80);
      for (int i = 0; i < n; i++) {
        waiting.add(waitingOne(r, i));
      }
      QueuePositions.Ranking ranking = QueuePositions.rank(waiting, Map.of(), NOW);

      Map<String, Integer> next = new HashMap<>();
      Map<String, Integer> counts = new HashMap<>();
      waiting.forEach(w -> counts.merge(w.classification().queue(), 1, Integer::sum));
      List<Decision> decided = Matcher.capped().match(waiting, List.of(), NOW);
      Map<String, String> queueOf = new HashMap<>();
      waiting.forEach(w -> queueOf.put(w.interactionId(), w.classification().queue()));
      for (Decision d : decided) {
        String queue = queueOf.get(d.interactionId());
        int expected = next.merge(queue, 1, Integer::sum);
        assertThat(ranking.places().get(d.interactionId())).as("seed %d, %s", seed, d.interactionId())
            .isEqualTo(new QueuePositions.Place(queue, expected, counts.get(queue)));
      }
      assertThat(ranking.places()).as("seed %d: every one ranked", seed).hasSize(waiting.size());
      assertThat(ranking.unreadable()).isEmpty();
    }
  }

  private static WaitingInteraction waitingOne(Random r, int i) {
    String queue = List.of("general", "billing", "vip").get(r.nextInt(3));
    List<RelaxationStep> steps = new ArrayList<>();
    if (r.nextBoolean()) {
      steps.add(new RelaxationStep(Duration.ofSeconds(r.nextInt(120)), List.of(new RelaxationAction.RaisePriority(r.nextInt(11) - 3))));
    }
    if (r.nextInt(4) == 0) {
      steps.add(new RelaxationStep(Duration.ofSeconds(60 + r.nextInt(120)), List.of(new RelaxationAction.RaisePriority(r.nextInt(20)))));
    }
    Classification c = new Classification("rule", queue, r.nextInt(4), List.of(), steps, 1);
    // Waits of whole 10 s (many ties), a few starting after now (clock skew between nodes).
    Instant since = NOW.minusSeconds(10L * (r.nextInt(20) - 2));
    String id = r.nextInt(5) == 0 ? "x" + r.nextInt(50) + "-" + i : new UUID(r.nextInt(3), i).toString();
    return new WaitingInteraction(id, "chat", c, since, null, Set.of(), null, null);
  }
}

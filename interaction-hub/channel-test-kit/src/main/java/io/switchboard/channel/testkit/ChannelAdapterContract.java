package io.switchboard.channel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.api.spi.SendReadiness;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * What every channel adapter does, whatever its channel: a test class of the adapter's module implements this
 * interface (giving a fresh adapter and the settings and secrets it starts with) and JUnit runs these tests
 * against it, beside the adapter's own. The adapter is found by the hub's {@link ServiceLoader} under a name
 * usable in URLs and environment variables; it starts with the in-memory hub ({@link InMemoryChannelContext}) and
 * stops cleanly, also when stopped again; its kind fits its channel; it answers the hub's questions (send
 * readiness, lifecycle events of interactions it does not hold) without throwing.
 */
public interface ChannelAdapterContract {

  /** A new, unstarted adapter. */
  ChannelAdapter newAdapter();

  /** The settings ({@code channels.<name>}) the adapter starts with in these tests. */
  default Map<String, Object> startSettings() {
    return Map.of();
  }

  /** The secrets the adapter starts with in these tests. */
  default Map<String, String> startSecrets() {
    return Map.of();
  }

  @Test
  default void theAdapterIsFoundByTheHubsServiceLoader() {
    Class<?> type = newAdapter().getClass();
    assertThat(ServiceLoader.load(ChannelAdapter.class).stream().map(ServiceLoader.Provider::type))
        .as("META-INF/services/" + ChannelAdapter.class.getName() + " names " + type.getName())
        .contains(type.asSubclass(ChannelAdapter.class));
  }

  @Test
  default void itsNameIsALowerCaseWordFitForPathsAndEnvironmentVariables() {
    assertThat(newAdapter().name()).matches("[a-z][a-z0-9]{1,31}");
  }

  @Test
  default void aLiveSessionAdapterServesVoiceAndAMessageAdapterAnotherChannel() {
    ChannelAdapter adapter = newAdapter();
    assertThat(adapter.kind() == ChannelAdapter.Kind.LIVE_SESSION).as("live session iff voice")
        .isEqualTo(adapter.channel() == Channel.VOICE);
  }

  @Test
  default void itStartsWithTheHubAndStopsCleanlyTwice() {
    try (var hub = new InMemoryChannelContext(newAdapter().name(), newAdapter().channel(), startSettings(),
        startSecrets())) {
      ChannelAdapter adapter = newAdapter();
      InMemoryChannelContext.await(adapter.start(hub));
      InMemoryChannelContext.await(adapter.stop());
      InMemoryChannelContext.await(adapter.stop());
    }
  }

  @Test
  default void itAnswersSendReadinessAndEventsOfInteractionsItDoesNotHold() {
    try (var hub = new InMemoryChannelContext(newAdapter().name(), newAdapter().channel(), startSettings(),
        startSecrets())) {
      ChannelAdapter adapter = hub.start(newAdapter());
      SendReadiness readiness = adapter.sendReadiness(Map.of());
      assertThat(readiness).isNotNull();
      InteractionId unknown = InteractionId.random();
      InMemoryChannelContext.await(adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(unknown, AgentId.random())));
      InMemoryChannelContext.await(adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(unknown, "test")));
    }
  }
}

package io.switchboard.hub.core.interaction;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adapters adding attributes after intake (a voice callback request): merged into the interaction's attributes with the
 * reason as a transition, refused beyond intake's metadata limits or with control characters, nothing for a finished
 * or unknown interaction. Real PostgreSQL.
 */
class InteractionAttributesTest {
  static CoreFixture f;
  static InteractionAttributes attributes;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    attributes = new InteractionAttributes(f.vertx, f.stores, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static InteractionId call(Map<String, String> metadata) {
    String id = "1765." + UUID.randomUUID();
    return await(f.intake.accept(new InboundContact(Channel.VOICE, id, SenderAddress.phone(CoreFixture.newMobile()), null, id,
        List.of(), null, new MessageContent.Text("Phone call"), metadata, Instant.now()))).interactionId();
  }

  @Test
  void attributesAreMergedAndTheReasonIsRecordedAsATransition() {
    InteractionId id = call(Map.of("ivr.topic", "billing", "voice.linkedId", "x"));
    assertThat(await(attributes.update(id, Map.of("voice.callback", "requested", "voice.callbackNumber", "+4930100001"),
        "callback requested to +4930100001", "voice"))).isTrue();
    var i = await(f.stores.interactions().find(f.db.pool(), id)).orElseThrow();
    assertThat(i.attributes()).containsEntry("ivr.topic", "billing").containsEntry("voice.callback", "requested")
        .containsEntry("voice.callbackNumber", "+4930100001");
    assertThat(await(attributes.update(id, Map.of("voice.callback", "failed"), "callback failed: busy after 3 attempts", "voice"))).isTrue();
    i = await(f.stores.interactions().find(f.db.pool(), id)).orElseThrow();
    assertThat(i.attributes()).containsEntry("voice.callback", "failed").containsEntry("ivr.topic", "billing");
    var transitions = await(f.stores.interactions().transitions(f.db.pool(), id));
    assertThat(transitions).extracting(t -> t.reason()).contains("callback requested to +4930100001", "callback failed: busy after 3 attempts");
    assertThat(transitions.getLast().fromState()).isEqualTo(transitions.getLast().toState());
  }

  @Test
  void namesValuesAndSizesBeyondIntakesLimitsAreRefused() {
    InteractionId id = call(Map.of());
    assertThat(awaitFailure(attributes.update(id, Map.of("1bad", "x"), "r", "voice"), ValidationException.class)).isNotNull();
    assertThat(awaitFailure(attributes.update(id, Map.of("voice.x", "a\u0000b"), "r", "voice"), ValidationException.class)).isNotNull();
    assertThat(awaitFailure(attributes.update(id, Map.of("voice.x", "line\nbreak"), "r", "voice"), ValidationException.class)).isNotNull();
    assertThat(awaitFailure(attributes.update(id, Map.of("voice.x", "x".repeat(InboundContact.MAX_METADATA_VALUE + 1)), "r", "voice"),
        ValidationException.class)).isNotNull();
    Map<String, String> many = new LinkedHashMap<>();
    for (int n = 0; n <= InboundContact.MAX_METADATA_ENTRIES; n++) {
      many.put("k" + n, "v");
    }
    assertThat(awaitFailure(attributes.update(id, many, "r", "voice"), ValidationException.class)).isNotNull();
    assertThat(awaitFailure(attributes.update(id, Map.of(), "r", "voice"), ValidationException.class)).isNotNull();
    assertThat(await(f.stores.interactions().find(f.db.pool(), id)).orElseThrow().attributes()).doesNotContainKey("voice.x");
  }

  @Test
  void aFinishedOrUnknownInteractionIsNotChanged() {
    assertThat(await(attributes.update(InteractionId.random(), Map.of("voice.callback", "requested"), "r", "voice"))).isFalse();
    InteractionId id = call(Map.of());
    await(f.stores.interactions().endUnrouted(f.db.pool(), id, "test", Instant.now()));
    assertThat(await(attributes.update(id, Map.of("voice.callback", "requested"), "r", "voice"))).isFalse();
    assertThat(await(f.stores.interactions().find(f.db.pool(), id)).orElseThrow().attributes()).doesNotContainKey("voice.callback");
  }

  @Test
  void anOverlongReasonIsShortened() {
    InteractionId id = call(Map.of());
    assertThat(await(attributes.update(id, Map.of("voice.callback", "requested"), "r".repeat(5_000), "voice"))).isTrue();
    assertThat(await(f.stores.interactions().transitions(f.db.pool(), id)).getLast().reason()).hasSize(500);
  }
}

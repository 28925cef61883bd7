package io.switchboard.hub.core.intake;

import static io.switchboard.hub.core.CoreFixture.ADMIN;
import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static io.switchboard.hub.core.CoreFixture.national;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.customer.CustomerView;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IntakeServiceTest {
  private static final List<String> TABLES =
      List.of("customers", "customer_identities", "conversations", "interactions", "messages", "outbox", "audit_log");

  private static CoreFixture f;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void newSenderGetsCustomerConversationInteractionAndMessage() {
    String phone = newMobile();
    String externalId = newId("chat");

    IntakeResult r =
        await(f.intake.accept(contact(Channel.CHAT, externalId, SenderAddress.phone(national(phone)), "Nina New",
            "session-" + externalId, List.of(), "Hello, my order is late")));

    assertThat(r.outcome()).isEqualTo(Outcome.CREATED);
    CustomerView customer = await(f.customers.get(r.customerId()));
    assertThat(customer.customer().displayName()).isEqualTo("Nina New");
    assertThat(customer.customer().language()).isEqualTo("en");
    assertThat(customer.identities())
        .singleElement()
        .satisfies(i -> {
          assertThat(i.kind()).isEqualTo(IdentityKind.PHONE);
          assertThat(i.value()).isEqualTo(phone);
        });
    assertThat(f.count("SELECT count(*) FROM conversations WHERE id = $1 AND customer_id = $2 AND channel = 'chat'"
            + " AND thread_key = $3 AND status = 'open'",
        r.conversationId().value(), r.customerId().value(), "session-" + externalId)).isEqualTo(1);
    Interaction interaction = await(f.stores.interactions().find(f.db.pool(), r.interactionId())).orElseThrow();
    assertThat(interaction.state()).isEqualTo(InteractionState.CREATED);
    assertThat(interaction.externalId()).isEqualTo(externalId);
    assertThat(interaction.customerId()).isEqualTo(r.customerId());
    assertThat(interaction.conversationId()).isEqualTo(r.conversationId());
    assertThat(interaction.attributes()).containsEntry("language", "en");
    assertThat(await(f.stores.interactions().transitions(f.db.pool(), r.interactionId())))
        .extracting(t -> t.toState())
        .containsExactly("created");
    List<Message> messages = await(f.stores.messages().ofInteractions(f.db.pool(), List.of(r.interactionId())));
    assertThat(messages).singleElement().satisfies(m -> {
      assertThat(m.id()).isEqualTo(r.messageId());
      assertThat(m.direction()).isEqualTo(Message.Direction.INBOUND);
      assertThat(m.status()).isEqualTo(Message.Status.RECEIVED);
      assertThat(m.externalId()).isEqualTo(externalId);
      assertThat(m.content()).isEqualTo(new MessageContent.Text("Hello, my order is late"));
    });
    assertThat(createdEvents(r.interactionId())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.created' AND entity_id = $1",
        r.customerId().toString())).isEqualTo(1);
  }

  @Test
  void duplicateDeliveryReturnsFirstInteractionAndStoresNothing() {
    String externalId = newId("email");
    SenderAddress sender = SenderAddress.email("dup." + UUID.randomUUID() + "@example.com");
    IntakeResult first = await(f.intake.accept(contact(Channel.EMAIL, externalId, sender, null, null, List.of(), "first")));
    Map<String, Long> before = rowCounts();

    IntakeResult again = await(f.intake.accept(contact(Channel.EMAIL, externalId, sender, null, null, List.of(), "first")));
    // A re-delivery is recognised by (channel, external id) alone, whatever else it carries.
    IntakeResult changed =
        await(f.intake.accept(contact(Channel.EMAIL, externalId, SenderAddress.email("someone.else@example.com"), "X",
            "thread-x", List.of(), "edited")));

    assertThat(first.outcome()).isEqualTo(Outcome.CREATED);
    for (IntakeResult r : List.of(again, changed)) {
      assertThat(r.outcome()).isEqualTo(Outcome.DUPLICATE);
      assertThat(r.interactionId()).isEqualTo(first.interactionId());
      assertThat(r.conversationId()).isEqualTo(first.conversationId());
      assertThat(r.customerId()).isEqualTo(first.customerId());
      assertThat(r.messageId()).isEqualTo(first.messageId());
    }
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void sameExternalIdOnAnotherChannelIsNotADuplicate() {
    String externalId = newId("shared");
    SenderAddress sender = SenderAddress.phone(newMobile());

    IntakeResult chat = await(f.intake.accept(contact(Channel.CHAT, externalId, sender, null, null, List.of(), "a")));
    IntakeResult voice = await(f.intake.accept(contact(Channel.VOICE, externalId, sender, null, null, List.of(), "b")));

    assertThat(voice.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(voice.interactionId()).isNotEqualTo(chat.interactionId());
    assertThat(voice.customerId()).isEqualTo(chat.customerId());
  }

  @Test
  void nextMessageOfAnOpenThreadIsAppendedToItsInteraction() {
    SenderAddress sender = SenderAddress.handle("telegram", String.valueOf(System.nanoTime()));
    String thread = newId("tg-thread");

    IntakeResult first = await(f.intake.accept(contact(Channel.SOCIAL, newId("tg"), sender, null, thread, List.of(), "one")));
    IntakeResult second = await(f.intake.accept(contact(Channel.SOCIAL, newId("tg"), sender, null, thread, List.of(), "two")));

    assertThat(first.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(second.outcome()).isEqualTo(Outcome.APPENDED);
    assertThat(second.interactionId()).isEqualTo(first.interactionId());
    assertThat(second.conversationId()).isEqualTo(first.conversationId());
    assertThat(second.customerId()).isEqualTo(first.customerId());
    assertThat(second.messageId()).isNotEqualTo(first.messageId());
    assertThat(await(f.stores.messages().ofInteractions(f.db.pool(), List.of(first.interactionId()))))
        .extracting(m -> ((MessageContent.Text) m.content()).body())
        .containsExactly("one", "two");
    assertThat(createdEvents(first.interactionId())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.message.received'"
        + " AND payload->>'messageId' = $1 AND payload->>'interactionId' = $2",
        second.messageId().toString(), first.interactionId().toString())).isEqualTo(1);
  }

  @Test
  void messageOnAThreadWhoseInteractionEndedStartsANewInteractionInTheSameConversation() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    String thread = newId("chat-session");
    IntakeResult first = await(f.intake.accept(contact(Channel.CHAT, newId("c"), sender, null, thread, List.of(), "one")));
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = 'ended', ended_at = now() WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(first.interactionId().value())));

    IntakeResult next = await(f.intake.accept(contact(Channel.CHAT, newId("c"), sender, null, thread, List.of(), "again")));

    assertThat(next.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(next.conversationId()).isEqualTo(first.conversationId());
    assertThat(next.interactionId()).isNotEqualTo(first.interactionId());
  }

  @Test
  void emailReplyReferencingAnEarlierMessageThreadsIntoItsConversation() {
    SenderAddress sender = SenderAddress.email("Carla." + UUID.randomUUID() + "@Example.com");
    String original = "<" + UUID.randomUUID() + "@mail.example.com>";
    IntakeResult first =
        await(f.intake.accept(contact(Channel.EMAIL, original, sender, "Carla", null, List.of(), "Invoice question")));

    String reply = "<" + UUID.randomUUID() + "@mail.example.com>";
    IntakeResult second =
        await(f.intake.accept(contact(Channel.EMAIL, reply, sender, "Carla", null,
            List.of("<unknown@elsewhere.example>", original), "Re: Invoice question")));
    // A message that references nothing known starts a conversation of its own.
    IntakeResult unrelated =
        await(f.intake.accept(contact(Channel.EMAIL, "<" + UUID.randomUUID() + "@mail.example.com>", sender, "Carla",
            null, List.of("<never-seen@example.com>"), "Another topic")));

    assertThat(second.conversationId()).isEqualTo(first.conversationId());
    assertThat(second.outcome()).isEqualTo(Outcome.APPENDED);
    assertThat(second.interactionId()).isEqualTo(first.interactionId());
    assertThat(unrelated.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(unrelated.conversationId()).isNotEqualTo(first.conversationId());
    assertThat(unrelated.customerId()).isEqualTo(first.customerId());
  }

  @Test
  void knownPhoneInAnotherFormatMatchesTheSameCustomer() {
    String phone = newMobile(); // +49151xxxxxxxx
    IntakeResult call = await(f.intake.accept(contact(Channel.VOICE, newId("call"), SenderAddress.phone(national(phone)),
        null, null, List.of(), "call")));

    String international = "0049 (0)" + phone.substring(3, 6) + "-" + phone.substring(6);
    IntakeResult again = await(f.intake.accept(contact(Channel.VOICE, newId("call"), SenderAddress.phone(international),
        null, null, List.of(), "call")));

    assertThat(again.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(again.customerId()).isEqualTo(call.customerId());
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", phone)).isEqualTo(1);
  }

  @Test
  void whatsappHandleMatchesCustomerKnownByThatPhone() {
    String phone = newMobile();
    IntakeResult call = await(f.intake.accept(contact(Channel.VOICE, newId("call"), SenderAddress.phone(national(phone)),
        null, null, List.of(), "call")));

    IntakeResult whatsapp = await(f.intake.accept(contact(Channel.SOCIAL, newId("wa"),
        SenderAddress.handle("whatsapp", phone.substring(1)), "Wally", "wa-" + phone, List.of(), "hi on WhatsApp")));

    assertThat(whatsapp.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(whatsapp.customerId()).isEqualTo(call.customerId());
    assertThat(f.count("SELECT count(*) FROM customers c JOIN customer_identities i ON i.customer_id = c.id"
        + " WHERE i.value = $1", phone)).isEqualTo(1);
  }

  @Test
  void newWhatsappSenderBecomesCustomerOwningTheHandleAndThePhone() {
    String phone = newMobile();

    IntakeResult r = await(f.intake.accept(contact(Channel.SOCIAL, newId("wa"),
        SenderAddress.handle("whatsapp", phone), null, null, List.of(), "hi")));

    CustomerView view = await(f.customers.get(r.customerId()));
    assertThat(view.identities()).extracting(i -> i.kind() + ":" + i.provider() + ":" + i.value())
        .containsExactlyInAnyOrder("HANDLE:whatsapp:" + phone, "PHONE::" + phone);
    // Without a sender name the customer is named after the address.
    assertThat(view.customer().displayName()).isEqualTo(phone);
  }

  @Test
  void whatsappSenderWhoseNumberLibphonenumberCallsInvalidIsStoredAsHandleAndPhone() {
    // +44 7700 900xxx is Ofcom's reserved drama range: libphonenumber calls it possible but not valid. WhatsApp's
    // wa_id is authoritative all the same.
    String waId = "447700900" + String.format("%03d", (int) (Math.random() * 1000));

    IntakeResult r = await(f.intake.accept(contact(Channel.SOCIAL, newId("wa"),
        SenderAddress.handle("whatsapp", waId), "Drama Dan", "whatsapp:" + waId, List.of(), "hello from a new range")));

    assertThat(r.outcome()).isEqualTo(Outcome.CREATED);
    CustomerView view = await(f.customers.get(r.customerId()));
    assertThat(view.identities()).extracting(i -> i.kind() + ":" + i.provider() + ":" + i.value())
        .containsExactlyInAnyOrder("HANDLE:whatsapp:+" + waId, "PHONE::+" + waId);
    // The next message, with the id written with its plus, finds the same customer.
    IntakeResult call = await(f.intake.accept(contact(Channel.SOCIAL, newId("wa"),
        SenderAddress.handle("whatsapp", "+" + waId), null, "whatsapp:" + waId, List.of(), "again")));
    assertThat(call.customerId()).isEqualTo(r.customerId());
  }

  @Test
  void whatsappSenderIdThatIsNoPhoneNumberAtAllIsStillStoredAsItsHandle() {
    String waId = "US." + UUID.randomUUID().toString().replace("-", "").substring(0, 20);

    IntakeResult r = await(f.intake.accept(contact(Channel.SOCIAL, newId("wa"),
        SenderAddress.handle("whatsapp", waId), null, "whatsapp:" + waId, List.of(), "hi")));

    CustomerView view = await(f.customers.get(r.customerId()));
    assertThat(view.identities()).singleElement().satisfies(i -> {
      assertThat(i.kind()).isEqualTo(IdentityKind.HANDLE);
      assertThat(i.value()).isEqualTo(waId);
    });
  }

  @Test
  void queueAndSlaClocksStartAtReceiptWhileTheProvidersClaimedTimeIsKeptApart() {
    // A provider that claims the message was sent 87 days ago, and one whose clock runs two days ahead.
    for (Duration skew : List.of(Duration.ofDays(-87), Duration.ofDays(2))) {
      Instant claimed = Instant.now().plus(skew).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      Instant before = Instant.now().minusSeconds(1);
      String id = newId("skew");
      IntakeResult r = await(f.intake.accept(new InboundContact(Channel.SOCIAL, id, SenderAddress.handle("telegram", "777"),
          null, "telegram:skew-" + id, List.of(), null, new MessageContent.Text("hi"), Map.of(), claimed)));

      Interaction interaction = await(f.stores.interactions().find(f.db.pool(), r.interactionId())).orElseThrow();
      assertThat(interaction.createdAt()).as("interaction created (%s)", skew).isBetween(before, Instant.now().plusSeconds(1));
      Message message = await(f.stores.messages().find(f.db.pool(), r.messageId())).orElseThrow();
      assertThat(message.createdAt()).as("message created (%s)", skew).isBetween(before, Instant.now().plusSeconds(1));
      assertThat(message.sentAt()).as("the provider's claim (%s)", skew).isEqualTo(claimed);
    }
  }

  @Test
  void contactFromMergedCustomersPhoneResolvesToTheSurvivor() {
    String survivorPhone = newMobile();
    String mergedPhone = newMobile();
    CustomerId survivor = await(f.intake.accept(contact(Channel.VOICE, newId("call"), SenderAddress.phone(survivorPhone),
        "Sue", null, List.of(), "call"))).customerId();
    CustomerId merged = await(f.intake.accept(contact(Channel.VOICE, newId("call"), SenderAddress.phone(mergedPhone),
        "Sue (work)", null, List.of(), "call"))).customerId();
    assertThat(merged).isNotEqualTo(survivor);
    await(f.customers.merge(ADMIN, survivor, merged));
    long customersBefore = f.count("SELECT count(*) FROM customers");

    IntakeResult r = await(f.intake.accept(contact(Channel.CHAT, newId("chat"), SenderAddress.phone(national(mergedPhone)),
        null, null, List.of(), "hello again")));

    assertThat(r.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(r.customerId()).isEqualTo(survivor);
    assertThat(f.count("SELECT count(*) FROM customers")).isEqualTo(customersBefore);
  }

  @Test
  void invalidPhoneIsRejectedAndNothingIsWritten() {
    Map<String, Long> before = rowCounts();

    for (String bad : List.of("12", "not a phone", "+49 30 123456789012345")) {
      ValidationException e = awaitFailure(f.intake.accept(contact(Channel.VOICE, newId("call"),
          SenderAddress.phone(bad), null, null, List.of(), "x")), ValidationException.class);
      assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly("sender.value");
    }
    awaitFailure(f.intake.accept(contact(Channel.SOCIAL, newId("tg"), SenderAddress.handle("telegram", "not valid!"),
        null, null, List.of(), "x")), ValidationException.class);

    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void concurrentDeliveriesFromOneNewSenderCreateOneCustomerAndOneInteractionPerExternalId() {
    String phone = newMobile();
    SenderAddress sender = SenderAddress.phone(national(phone));
    String duplicated = newId("burst-dup");
    List<String> distinct = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      distinct.add(newId("burst-" + i));
    }
    long customersBefore = f.count("SELECT count(*) FROM customers");
    f.openAllConnections(); // so the burst's transactions really overlap

    List<Future<IntakeResult>> sameId = new ArrayList<>();
    List<Future<IntakeResult>> distinctIds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sameId.add(f.intake.accept(contact(Channel.SOCIAL, duplicated, sender, "Burst", null, List.of(), "same " + i)));
      distinctIds.add(f.intake.accept(contact(Channel.SOCIAL, distinct.get(i), sender, "Burst", null, List.of(), "n " + i)));
    }
    List<IntakeResult> same = sameId.stream().map(CoreFixture::await).toList();
    List<IntakeResult> each = distinctIds.stream().map(CoreFixture::await).toList();

    assertThat(same).extracting(IntakeResult::outcome).containsOnlyOnce(Outcome.CREATED)
        .containsOnly(Outcome.CREATED, Outcome.DUPLICATE);
    assertThat(same).extracting(IntakeResult::interactionId).containsOnly(same.get(0).interactionId());
    assertThat(same).extracting(IntakeResult::messageId).containsOnly(same.get(0).messageId());
    assertThat(each).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
    assertThat(each).extracting(IntakeResult::interactionId).doesNotHaveDuplicates()
        .doesNotContain(same.get(0).interactionId());
    Set<CustomerId> customerIds = new java.util.HashSet<>();
    same.forEach(r -> customerIds.add(r.customerId()));
    each.forEach(r -> customerIds.add(r.customerId()));
    assertThat(customerIds).hasSize(1);
    UUID customer = customerIds.iterator().next().value();

    assertThat(f.count("SELECT count(*) FROM customers")).isEqualTo(customersBefore + 1);
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", phone)).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM interactions WHERE customer_id = $1", customer)).isEqualTo(21);
    assertThat(f.count("SELECT count(*) FROM interactions WHERE channel = 'social' AND external_id = $1", duplicated))
        .isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM messages WHERE channel = 'social' AND external_id = $1", duplicated))
        .isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM interactions WHERE channel = 'social' AND external_id = ANY($1)",
        (Object) distinct.toArray(String[]::new))).isEqualTo(20);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.interaction.created'"
        + " AND payload->>'customerId' = $1", customer.toString())).isEqualTo(21);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.created' AND entity_id = $1",
        customer.toString())).isEqualTo(1);
  }

  @Test
  void relayPublishesInteractionCreatedOnTheEventBusAfterCommit() throws Exception {
    Map<String, CompletableFuture<JsonObject>> received = new ConcurrentHashMap<>();
    MessageConsumer<JsonObject> consumer =
        f.vertx.eventBus().consumer("interaction.created", m ->
            received.computeIfAbsent(m.body().getString("interactionId"), k -> new CompletableFuture<>())
                .complete(m.body()));
    await(consumer.completion());
    // A long poll interval: the event must arrive because intake wakes the relay, not because a timer fired.
    String deployment = await(f.vertx.deployVerticle(new OutboxRelay(f.stores, Duration.ofMinutes(10))));
    try {
      IntakeResult r = await(f.intake.accept(contact(Channel.CHAT, newId("relay"), SenderAddress.phone(newMobile()),
          "Rae", "relay-" + UUID.randomUUID(), List.of(), "hello")));

      JsonObject event = received.computeIfAbsent(r.interactionId().toString(), k -> new CompletableFuture<>())
          .get(10, TimeUnit.SECONDS);

      assertThat(event.getString("type")).isEqualTo("interaction.created");
      assertThat(event.getString("conversationId")).isEqualTo(r.conversationId().toString());
      assertThat(event.getString("customerId")).isEqualTo(r.customerId().toString());
      assertThat(event.getString("channel")).isEqualTo("chat");
      assertThat(event.getString("eventId")).isNotBlank();
      assertThat(Instant.parse(event.getString("occurredAt"))).isBefore(Instant.now().plusSeconds(1));
    } finally {
      await(consumer.unregister());
      await(f.vertx.undeploy(deployment));
    }
  }

  private static long createdEvents(InteractionId id) {
    return f.count("SELECT count(*) FROM outbox WHERE topic = 'event.interaction.created' AND payload->>'interactionId' = $1",
        id.toString());
  }

  private static Map<String, Long> rowCounts() {
    return TABLES.stream().collect(Collectors.toMap(t -> t, t -> f.count("SELECT count(*) FROM " + t)));
  }

  private static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private static InboundContact contact(
      Channel channel, String externalId, SenderAddress sender, String senderName, String threadKey,
      List<String> references, String text) {
    String subject = channel == Channel.EMAIL ? text : null;
    return new InboundContact(channel, externalId, sender, senderName, threadKey, references, subject,
        new MessageContent.Text(text), Map.of("language", "en"), Instant.now());
  }
}

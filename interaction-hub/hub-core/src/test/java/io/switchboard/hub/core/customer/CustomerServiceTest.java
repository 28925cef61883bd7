package io.switchboard.hub.core.customer;

import static io.switchboard.hub.core.CoreFixture.ADMIN;
import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static io.switchboard.hub.core.CoreFixture.national;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.CustomerMerge;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomerServiceTest {
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
  void createStoresCustomerWithNormalisedIdentities() {
    String phone = newMobile();
    String email = "Max." + UUID.randomUUID() + "@Example.COM";

    CustomerView created = await(f.customers.create(ADMIN, draft("  Max Mustermann ", "gold", "de",
        SenderAddress.phone(national(phone)), SenderAddress.email(email), SenderAddress.handle("Telegram", "@Max_Muster"),
        SenderAddress.phone(phone)))); // the same phone twice counts once

    Customer c = created.customer();
    assertThat(c.displayName()).isEqualTo("Max Mustermann");
    assertThat(c.tier()).isEqualTo("gold");
    assertThat(c.language()).isEqualTo("de");
    assertThat(c.attributes()).containsEntry("crm", "42");
    assertThat(c.version()).isEqualTo(1);
    assertThat(c.mergedInto()).isNull();
    assertThat(created.identities())
        .extracting(Identity::kind, Identity::provider, Identity::value)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(IdentityKind.PHONE, "", phone),
            org.assertj.core.groups.Tuple.tuple(IdentityKind.EMAIL, "", email.toLowerCase()),
            org.assertj.core.groups.Tuple.tuple(IdentityKind.HANDLE, "telegram", "@max_muster"));
    CustomerView read = await(f.customers.get(c.id()));
    assertThat(read.customer()).isEqualTo(c);
    assertThat(read.identities()).containsExactlyInAnyOrderElementsOf(created.identities());
    assertThat(auditCount("customer.created", c.id())).isEqualTo(1);
  }

  @Test
  void identityOwnedByAnotherCustomerIsAConflictAndNothingIsWritten() {
    String phone = newMobile();
    CustomerView owner = await(f.customers.create(ADMIN, draft("Owner", null, null, SenderAddress.phone(phone))));
    long customers = f.count("SELECT count(*) FROM customers");
    long identities = f.count("SELECT count(*) FROM customer_identities");
    long audit = f.count("SELECT count(*) FROM audit_log");

    ConflictException e = awaitFailure(
        f.customers.create(ADMIN, draft("Intruder", null, null,
            SenderAddress.email("intruder." + UUID.randomUUID() + "@example.com"), SenderAddress.phone(national(phone)))),
        ConflictException.class);

    assertThat(e.getMessage()).contains(phone).contains(owner.customer().id().toString());
    assertThat(f.count("SELECT count(*) FROM customers")).isEqualTo(customers);
    assertThat(f.count("SELECT count(*) FROM customer_identities")).isEqualTo(identities);
    assertThat(f.count("SELECT count(*) FROM audit_log")).isEqualTo(audit);
  }

  @Test
  void invalidIdentitiesAreRejectedNamingEachOne() {
    long customers = f.count("SELECT count(*) FROM customers");

    ValidationException e = awaitFailure(
        f.customers.create(ADMIN, draft("Bad", null, null,
            SenderAddress.phone(newMobile()), SenderAddress.phone("12"), SenderAddress.email("not-an-email"))),
        ValidationException.class);

    assertThat(e.errors()).extracting(ValidationException.FieldError::field)
        .containsExactly("identities[1].value", "identities[2].value");
    assertThat(f.count("SELECT count(*) FROM customers")).isEqualTo(customers);
  }

  @Test
  void invalidDraftFieldsAreRejectedNamingEachField() {
    assertThatThrownBy(() -> new CustomerDraft(" ", "Gold Tier", "english!", Map.of("bad key", "v"), "x".repeat(10_001),
            List.of()))
        .isInstanceOfSatisfying(ValidationException.class, e ->
            assertThat(e.errors()).extracting(ValidationException.FieldError::field)
                .containsExactlyInAnyOrder("displayName", "tier", "language", "attributes.bad key", "notes"));
    assertThatThrownBy(() -> new CustomerDraft("x".repeat(201), null, null, null, null, null))
        .isInstanceOfSatisfying(ValidationException.class, e ->
            assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly("displayName"));
  }

  @Test
  void updateWithCurrentVersionAppliesChangeAndIncrementsVersion() {
    CustomerView created = await(f.customers.create(ADMIN, draft("Ulla", null, null, SenderAddress.phone(newMobile()))));
    CustomerId id = created.customer().id();

    CustomerView updated = await(f.customers.update(ADMIN, id, 1, d ->
        new CustomerDraft("Ulla Update", "silver", "de-CH", Map.of("vip", "yes"), "called twice", d.identities())));

    assertThat(updated.customer().version()).isEqualTo(2);
    assertThat(updated.customer().displayName()).isEqualTo("Ulla Update");
    assertThat(updated.customer().tier()).isEqualTo("silver");
    assertThat(updated.customer().language()).isEqualTo("de-CH");
    assertThat(updated.customer().attributes()).isEqualTo(Map.of("vip", "yes"));
    assertThat(updated.customer().notes()).isEqualTo("called twice");
    assertThat(updated.identities()).hasSize(1);
    assertThat(await(f.customers.get(id)).customer()).isEqualTo(updated.customer());
    assertThat(auditCount("customer.updated", id)).isEqualTo(1);
  }

  @Test
  void updateWithStaleVersionIsAConflictAndChangesNothing() {
    CustomerId id = await(f.customers.create(ADMIN, draft("Stale", null, null))).customer().id();
    await(f.customers.update(ADMIN, id, 1, d -> withTier(d, "gold")));

    awaitFailure(f.customers.update(ADMIN, id, 1, d -> withTier(d, "bronze")), ConflictException.class);

    Customer now = await(f.customers.get(id)).customer();
    assertThat(now.version()).isEqualTo(2);
    assertThat(now.tier()).isEqualTo("gold");
  }

  @Test
  void updateWithInvalidFieldsIsRejectedNamingThemAndChangesNothing() {
    CustomerId id = await(f.customers.create(ADMIN, draft("Vera", null, null))).customer().id();

    ValidationException e = awaitFailure(
        f.customers.update(ADMIN, id, 1, d -> new CustomerDraft("", "UPPER", "1x", d.attributes(), d.notes(), List.of())),
        ValidationException.class);

    assertThat(e.errors()).extracting(ValidationException.FieldError::field)
        .containsExactlyInAnyOrder("displayName", "tier", "language");
    assertThat(await(f.customers.get(id)).customer().version()).isEqualTo(1);
  }

  @Test
  void updateOfUnknownCustomerIsNotFound() {
    awaitFailure(f.customers.update(ADMIN, CustomerId.random(), 1, d -> d), NotFoundException.class);
    awaitFailure(f.customers.get(CustomerId.random()), NotFoundException.class);
  }

  @Test
  void searchByNameIsCaseInsensitiveAndExcludesMergedCustomers() {
    String tag = "Quartermain" + UUID.randomUUID().toString().substring(0, 6);
    CustomerId zoe = await(f.customers.create(ADMIN, draft("Zoe " + tag, null, null))).customer().id();
    CustomerId zoeUpper = await(f.customers.create(ADMIN, draft("ZOE " + tag.toUpperCase() + " Smith", null, null)))
        .customer().id();
    CustomerId other = await(f.customers.create(ADMIN, draft("Zed " + tag + "_x", null, null))).customer().id();
    await(f.customers.create(ADMIN, draft("Unrelated Person", null, null)));

    assertThat(await(f.customers.searchByName(tag.toLowerCase(), 10, 0)))
        .extracting(v -> v.customer().id())
        .containsExactlyInAnyOrder(zoe, zoeUpper, other);
    // LIKE wildcards in the fragment are taken literally.
    assertThat(await(f.customers.searchByName(tag + "_", 10, 0))).extracting(v -> v.customer().id())
        .containsExactly(other);

    await(f.customers.merge(ADMIN, zoe, zoeUpper));

    assertThat(await(f.customers.searchByName(tag.toUpperCase(), 10, 0)))
        .extracting(v -> v.customer().id())
        .containsExactlyInAnyOrder(zoe, other);
  }

  @Test
  void findByAddressFindsTheOwnerByPhoneInAnotherFormat() {
    String phone = newMobile();
    CustomerId id = await(f.customers.create(ADMIN, draft("Phoebe", null, null, SenderAddress.phone(phone)))).customer().id();

    Optional<CustomerView> found =
        await(f.customers.findByAddress(SenderAddress.phone("0049 " + national(phone).substring(1)), "phone"));

    assertThat(found).map(v -> v.customer().id()).contains(id);
    assertThat(await(f.customers.findByAddress(SenderAddress.phone(newMobile()), "phone"))).isEmpty();
    ValidationException e =
        awaitFailure(f.customers.findByAddress(SenderAddress.phone("12"), "phone"), ValidationException.class);
    assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly("phone");
  }

  @Test
  void findByAddressOfAMergedCustomersIdentityReturnsTheSurvivor() {
    String mergedPhone = newMobile();
    CustomerId a = await(f.customers.create(ADMIN, draft("Alpha", null, null, SenderAddress.phone(newMobile()))))
        .customer().id();
    CustomerId b = await(f.customers.create(ADMIN, draft("Beta", null, null, SenderAddress.phone(mergedPhone))))
        .customer().id();
    await(f.customers.merge(ADMIN, a, b));

    assertThat(await(f.customers.findByAddress(SenderAddress.phone(mergedPhone), "phone")))
        .map(v -> v.customer().id()).contains(a);
  }

  @Test
  void mergeFillsSurvivorsEmptyFieldsAndJoinsIdentitiesAndHistory() {
    String phoneA = newMobile();
    String phoneB = newMobile();
    CustomerId a = await(f.customers.create(ADMIN,
        new CustomerDraft("Anna", null, null, Map.of("source", "web"), null, List.of(SenderAddress.phone(phoneA)))))
        .customer().id();
    CustomerId b = await(f.customers.create(ADMIN,
        new CustomerDraft("Anna B.", "gold", "fr", Map.of("source", "shop", "loyalty", "L-1"), "prefers email",
            List.of(SenderAddress.phone(phoneB)))))
        .customer().id();
    InteractionId callOfA = contact(phoneA).interactionId();
    InteractionId callOfB = contact(phoneB).interactionId();

    CustomerMerge merge = await(f.customers.merge(ADMIN, a, b));

    assertThat(merge.survivorId()).isEqualTo(a);
    assertThat(merge.mergedId()).isEqualTo(b);
    assertThat(merge.fieldChanges()).containsOnlyKeys("tier", "language", "notes", "attributes");
    CustomerView survivor = await(f.customers.get(a));
    assertThat(survivor.customer().displayName()).isEqualTo("Anna");
    assertThat(survivor.customer().tier()).isEqualTo("gold");
    assertThat(survivor.customer().language()).isEqualTo("fr");
    assertThat(survivor.customer().notes()).isEqualTo("prefers email");
    // The survivor's own attribute values win; missing ones come from the merged customer.
    assertThat(survivor.customer().attributes()).isEqualTo(Map.of("source", "web", "loyalty", "L-1"));
    assertThat(survivor.identities()).extracting(Identity::value).containsExactlyInAnyOrder(phoneA, phoneB);
    Customer mergedNow = await(f.customers.get(b)).customer();
    assertThat(mergedNow.mergedInto()).isEqualTo(a);
    assertThat(await(f.customers.history(a, null, 50)))
        .extracting(h -> h.interaction().id())
        .containsExactlyInAnyOrder(callOfA, callOfB);
    assertThat(await(f.customers.history(b, null, 50)))
        .as("history of the merged customer is its golden record's")
        .extracting(h -> h.interaction().id())
        .containsExactlyInAnyOrder(callOfA, callOfB);
    assertThat(await(f.customers.history(a, null, 50))).allSatisfy(h -> assertThat(h.messages()).hasSize(1));
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.merged' AND entity_type = 'customer'"
        + " AND entity_id = $1 AND details->>'mergedId' = $2 AND details->>'mergeId' = $3",
        a.toString(), b.toString(), merge.id().toString())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.customer.merged' AND payload->>'mergeId' = $1",
        merge.id().toString())).isEqualTo(1);
    assertThat(await(f.customers.merges(a))).extracting(CustomerMerge::id).containsExactly(merge.id());
  }

  @Test
  void mergingAnAlreadyMergedCustomerIsAConflict() {
    CustomerId a = await(f.customers.create(ADMIN, draft("Ann", null, null))).customer().id();
    CustomerId b = await(f.customers.create(ADMIN, draft("Bob", null, null))).customer().id();
    CustomerId c = await(f.customers.create(ADMIN, draft("Cid", null, null))).customer().id();
    await(f.customers.merge(ADMIN, a, b));

    awaitFailure(f.customers.merge(ADMIN, a, b), ConflictException.class);
    awaitFailure(f.customers.merge(ADMIN, c, b), ConflictException.class);
    awaitFailure(f.customers.merge(ADMIN, b, c), ConflictException.class); // b is no golden record any more
    awaitFailure(f.customers.update(ADMIN, b, await(f.customers.get(b)).customer().version(), d -> d),
        ConflictException.class);
    assertThat(f.count("SELECT count(*) FROM customer_merges WHERE merged_id = $1", b.value())).isEqualTo(1);
  }

  @Test
  void oppositeMergesAtTheSameTimeLetExactlyOneWin() {
    for (int round = 0; round < 5; round++) {
      CustomerId a = await(f.customers.create(ADMIN, draft("Left " + round, null, null))).customer().id();
      CustomerId b = await(f.customers.create(ADMIN, draft("Right " + round, null, null))).customer().id();
      f.openAllConnections();

      Future<CustomerMerge> aIntoB = f.customers.merge(ADMIN, b, a);
      Future<CustomerMerge> bIntoA = f.customers.merge(ADMIN, a, b);
      await(Future.join(aIntoB, bIntoA).otherwiseEmpty());

      assertThat(List.of(aIntoB, bIntoA)).filteredOn(Future::succeeded).hasSize(1);
      assertThat(List.of(aIntoB, bIntoA)).filteredOn(Future::failed)
          .singleElement().satisfies(lost -> assertThat(lost.cause()).isInstanceOf(ConflictException.class));
      assertThat(f.count("SELECT count(*) FROM customers WHERE id = ANY($1) AND merged_into IS NULL",
          (Object) new UUID[] {a.value(), b.value()})).isEqualTo(1);
    }
  }

  @Test
  void chainedMergesResolveToTheLastSurvivorAndUndoOneLink() {
    String phoneB = newMobile();
    CustomerId a = await(f.customers.create(ADMIN, draft("Chain A", null, null, SenderAddress.phone(newMobile()))))
        .customer().id();
    CustomerId b = await(f.customers.create(ADMIN, draft("Chain B", null, null, SenderAddress.phone(phoneB))))
        .customer().id();
    CustomerId c = await(f.customers.create(ADMIN, draft("Chain C", null, null, SenderAddress.phone(newMobile()))))
        .customer().id();
    InteractionId callOfB = contact(phoneB).interactionId();
    await(f.customers.merge(ADMIN, a, b));
    CustomerMerge aIntoC = await(f.customers.merge(ADMIN, c, a));

    assertThat(contact(phoneB).customerId()).isEqualTo(c);
    assertThat(await(f.customers.get(c)).identities()).hasSize(3);
    assertThat(await(f.customers.history(c, null, 50))).extracting(h -> h.interaction().id()).contains(callOfB);

    await(f.customers.undoMerge(ADMIN, aIntoC.id()));

    assertThat(contact(phoneB).customerId()).isEqualTo(a);
    assertThat(await(f.customers.get(c)).identities()).hasSize(1);
    assertThat(await(f.customers.get(a)).identities()).hasSize(2);
  }

  @Test
  void mergingACustomerIntoItselfIsInvalid() {
    CustomerId a = await(f.customers.create(ADMIN, draft("Solo", null, null))).customer().id();

    ValidationException e = awaitFailure(f.customers.merge(ADMIN, a, a), ValidationException.class);

    assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly("mergedCustomerId");
    awaitFailure(f.customers.merge(ADMIN, a, CustomerId.random()), NotFoundException.class);
  }

  @Test
  void undoMergeRestoresBothCustomersExactly() {
    String phoneA = newMobile();
    String phoneB = newMobile();
    Customer a0 = await(f.customers.create(ADMIN,
        new CustomerDraft("Ada", null, "en", Map.of("k", "a"), null, List.of(SenderAddress.phone(phoneA))))).customer();
    Customer b0 = await(f.customers.create(ADMIN,
        new CustomerDraft("Ada (old)", "gold", "de", Map.of("k", "b", "extra", "1"), "note b",
            List.of(SenderAddress.phone(phoneB))))).customer();
    InteractionId callOfB = contact(phoneB).interactionId();
    CustomerMerge merge = await(f.customers.merge(ADMIN, a0.id(), b0.id()));

    CustomerMerge undone = await(f.customers.undoMerge(ADMIN, merge.id()));

    assertThat(undone.undoneAt()).isNotNull();
    assertThat(undone.undoneBy()).isEqualTo(ADMIN.auditName());
    CustomerView a = await(f.customers.get(a0.id()));
    CustomerView b = await(f.customers.get(b0.id()));
    assertSameFields(a.customer(), a0);
    assertSameFields(b.customer(), b0);
    assertThat(b.customer().mergedInto()).isNull();
    assertThat(a.identities()).extracting(Identity::value).containsExactly(phoneA);
    assertThat(b.identities()).extracting(Identity::value).containsExactly(phoneB);
    assertThat(await(f.customers.history(a0.id(), null, 50))).isEmpty();
    assertThat(await(f.customers.history(b0.id(), null, 50))).extracting(h -> h.interaction().id())
        .containsExactly(callOfB);
    assertThat(await(f.customers.findByAddress(SenderAddress.phone(phoneB), "phone")))
        .map(v -> v.customer().id()).contains(b0.id());
    assertThat(auditCount("customer.unmerged", a0.id())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.customer.unmerged' AND payload->>'mergeId' = $1",
        merge.id().toString())).isEqualTo(1);
    // Intake from B's phone reaches B again.
    assertThat(contact(phoneB).customerId()).isEqualTo(b0.id());

    awaitFailure(f.customers.undoMerge(ADMIN, merge.id()), ConflictException.class);
    awaitFailure(f.customers.undoMerge(ADMIN, UUID.randomUUID()), NotFoundException.class);
    // Once undone, the same two may be merged again.
    await(f.customers.merge(ADMIN, a0.id(), b0.id()));
  }

  @Test
  void undoMergeKeepsAFieldEditedAfterTheMerge() {
    Customer a0 = await(f.customers.create(ADMIN, draft("Edith", null, null))).customer();
    Customer b0 = await(f.customers.create(ADMIN, draft("Edith B", "gold", "de"))).customer();
    CustomerMerge merge = await(f.customers.merge(ADMIN, a0.id(), b0.id()));
    Customer merged = await(f.customers.get(a0.id())).customer();
    assertThat(merged.tier()).isEqualTo("gold");
    await(f.customers.update(ADMIN, a0.id(), merged.version(), d -> withTier(d, "platinum")));

    await(f.customers.undoMerge(ADMIN, merge.id()));

    Customer a = await(f.customers.get(a0.id())).customer();
    assertThat(a.tier()).as("edited after the merge: kept").isEqualTo("platinum");
    assertThat(a.language()).as("only filled by the merge: cleared").isNull();
    assertThat(await(f.customers.get(b0.id())).customer().mergedInto()).isNull();
  }

  private static IntakeResult contact(String phone) {
    return await(f.intake.accept(new InboundContact(Channel.VOICE, "call-" + UUID.randomUUID(),
        SenderAddress.phone(phone), null, null, List.of(), null, new MessageContent.Text("call"), Map.of(),
        Instant.now())));
  }

  private static void assertSameFields(Customer actual, Customer expected) {
    assertThat(actual.displayName()).isEqualTo(expected.displayName());
    assertThat(actual.tier()).isEqualTo(expected.tier());
    assertThat(actual.language()).isEqualTo(expected.language());
    assertThat(actual.attributes()).isEqualTo(expected.attributes());
    assertThat(actual.notes()).isEqualTo(expected.notes());
    assertThat(actual.mergedInto()).isEqualTo(expected.mergedInto());
  }

  private static long auditCount(String action, CustomerId id) {
    return f.count("SELECT count(*) FROM audit_log WHERE action = $1 AND entity_id = $2", action, id.toString());
  }

  private static CustomerDraft withTier(CustomerDraft d, String tier) {
    return new CustomerDraft(d.displayName(), tier, d.language(), d.attributes(), d.notes(), d.identities());
  }

  private static CustomerDraft draft(String name, String tier, String language, SenderAddress... identities) {
    return new CustomerDraft(name, tier, language, tier == null ? Map.of() : Map.of("crm", "42"), null,
        List.of(identities));
  }
}

package io.switchboard.hub.core.customer;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.CustomerMerge;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IdentityId;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.store.InteractionStore;
import io.switchboard.hub.store.StoreScope;
import io.switchboard.hub.store.StoreTransaction;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Customer records: create, read, search, edit, identities, reversible merges into a golden record, and the
 * history of a customer across all channels. Every change is audited in the same transaction.
 *
 * <p>Size (over 400 lines, #15): the customer record's operations share its invariants (identities unique across
 * customers, a merged record pointing at its survivor, every change audited in its transaction, the customer events
 * in the outbox); identity normalising is {@link IdentityNormalizer}. The merge and undo steps pass their transaction,
 * an opaque {@link StoreTransaction} from hub-store, through private helpers.
 */
public final class CustomerService {
  private final Vertx vertx;
  private final Stores stores;
  private final IdentityNormalizer normalizer;

  public CustomerService(Vertx vertx, Stores stores, IdentityNormalizer normalizer) {
    this.vertx = vertx;
    this.stores = stores;
    this.normalizer = normalizer;
  }

  /**
   * Creates a customer with its identities.
   *
   * @throws ConflictException (failed future) when an identity already belongs to another customer
   */
  public Future<CustomerView> create(Principal by, CustomerDraft draft) {
    List<IdentityKey> keys;
    try {
      keys = normalizeAll(draft.identities(), "identities");
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    Customer customer =
        new Customer(CustomerId.random(), draft.displayName(), draft.tier(), draft.language(), draft.attributes(),
            draft.notes(), null, 1, Instant.now(), null);
    return stores.db().transaction(tx ->
        stores.customers().insert(tx, customer)
            .compose(created -> addIdentities(tx, created.id(), keys, 0, new ArrayList<>())
                .compose(ids -> audit(tx, by, "customer.created", created.id(), new JsonObject().put("displayName", created.displayName()))
                    .map(new CustomerView(created, ids)))));
  }

  /** A customer and the identities of its golden record; a merged customer is returned as it is, pointing on. */
  public Future<CustomerView> get(CustomerId id) {
    StoreScope db = stores.db();
    return stores.customers().find(db, id)
        .compose(found -> found.isEmpty()
            ? Future.failedFuture(notFound(id))
            : view(db, found.get()));
  }

  /** Golden records whose name contains {@code fragment}. */
  public Future<List<CustomerView>> searchByName(String fragment, int limit, int offset) {
    StoreScope db = stores.db();
    return stores.customers().searchByName(db, fragment, limit, offset).compose(list -> views(db, list));
  }

  /** Golden records, newest first. */
  public Future<List<CustomerView>> list(int limit, int offset) {
    StoreScope db = stores.db();
    return stores.customers().list(db, limit, offset).compose(list -> views(db, list));
  }

  /** The golden record that owns this address, if any. */
  public Future<Optional<CustomerView>> findByAddress(SenderAddress address, String field) {
    IdentityKey key;
    try {
      key = normalizer.normalize(address, field);
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    StoreScope db = stores.db();
    return stores.customers().findByIdentity(db, key.kind(), key.provider(), key.value())
        .compose(owner -> owner.isEmpty()
            ? Future.succeededFuture(Optional.<CustomerView>empty())
            : stores.customers().resolve(db, owner.get())
                .compose(golden -> get(golden.orElseThrow()))
                .map(Optional::of));
  }

  /**
   * Applies {@code change} to the customer's editable fields when its version is still {@code expectedVersion}.
   *
   * @return the updated customer; fails with {@link ConflictException} when the version moved on or the
   *     customer was merged, {@link NotFoundException} when unknown, {@link ValidationException} for bad fields
   */
  public Future<CustomerView> update(Principal by, CustomerId id, int expectedVersion, UnaryOperator<CustomerDraft> change) {
    return stores.db().transaction(tx ->
        stores.customers().findForUpdate(tx, id).compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(notFound(id));
          }
          Customer current = found.get();
          if (current.mergedInto() != null) {
            return Future.failedFuture(new ConflictException("customer " + id + " is merged into " + current.mergedInto() + "; edit that one"));
          }
          if (current.version() != expectedVersion) {
            return Future.failedFuture(new ConflictException(
                "customer " + id + " is at version " + current.version() + ", not " + expectedVersion + "; reload and retry"));
          }
          CustomerDraft next;
          try {
            next = change.apply(draftOf(current));
          } catch (ValidationException e) {
            return Future.failedFuture(e);
          }
          Customer updated = new Customer(current.id(), next.displayName(), next.tier(), next.language(),
              next.attributes(), next.notes(), null, current.version(), current.createdAt(), current.updatedAt());
          return stores.customers().update(tx, updated, expectedVersion)
              .compose(stored -> audit(tx, by, "customer.updated", id, diff(current, stored.orElseThrow()))
                  .compose(x -> view(tx, stored.orElseThrow())));
        }));
  }

  /** Adds an identity to a customer (its golden record when merged). */
  public Future<Identity> addIdentity(Principal by, CustomerId id, SenderAddress address) {
    IdentityKey key;
    try {
      key = normalizer.normalize(address, "value");
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return stores.db().transaction(tx ->
        stores.customers().resolve(tx, id).compose(golden -> {
          if (golden.isEmpty()) {
            return Future.failedFuture(notFound(id));
          }
          return addIdentities(tx, golden.get(), List.of(key), 0, new ArrayList<>())
              .compose(added -> audit(tx, by, "identity.added", golden.get(),
                      new JsonObject().put("kind", key.kind().wireName()).put("provider", key.provider()).put("value", key.value()))
                  .map(added.get(0)));
        }));
  }

  /** Removes one identity of the customer's golden record. */
  public Future<Void> removeIdentity(Principal by, CustomerId id, IdentityId identityId) {
    return stores.db().transaction(tx ->
        stores.customers().resolve(tx, id).compose(golden -> {
          if (golden.isEmpty()) {
            return Future.failedFuture(notFound(id));
          }
          return stores.customers().members(tx, golden.get()).compose(members ->
              stores.customers().findIdentity(tx, identityId).compose(identity -> {
                if (identity.isEmpty() || !members.contains(identity.get().customerId())) {
                  return Future.failedFuture(new NotFoundException("customer " + id + " has no identity " + identityId));
                }
                Identity i = identity.get();
                return stores.customers().deleteIdentity(tx, identityId)
                    .compose(x -> audit(tx, by, "identity.removed", golden.get(),
                        new JsonObject().put("identityId", identityId.toString()).put("kind", i.kind().wireName())
                            .put("provider", i.provider()).put("value", i.value())));
              }));
        }));
  }

  /**
   * Merges {@code mergedId} into {@code survivorId}: everything addressed to the merged customer resolves to
   * the survivor from now on; the survivor's empty fields are filled from the merged one. Nothing is moved
   * or deleted, so {@link #undoMerge} restores the exact state.
   */
  public Future<CustomerMerge> merge(Principal by, CustomerId survivorId, CustomerId mergedId) {
    if (survivorId.equals(mergedId)) {
      return Future.failedFuture(new ValidationException("mergedCustomerId", "cannot merge a customer into itself"));
    }
    return stores.db().transaction(tx ->
        lockBoth(tx, survivorId, mergedId).compose(pair -> {
          Customer survivor = pair.get(0);
          Customer merged = pair.get(1);
          if (survivor.mergedInto() != null) {
            return Future.failedFuture(new ConflictException("customer " + survivorId + " is itself merged into " + survivor.mergedInto()));
          }
          if (merged.mergedInto() != null) {
            return Future.failedFuture(new ConflictException("customer " + mergedId + " is already merged into " + merged.mergedInto()));
          }
          Map<String, CustomerMerge.FieldChange> changes = new LinkedHashMap<>();
          String tier = fill("tier", survivor.tier(), merged.tier(), changes);
          String language = fill("language", survivor.language(), merged.language(), changes);
          String notes = fill("notes", survivor.notes(), merged.notes(), changes);
          Map<String, String> attributes = new LinkedHashMap<>(merged.attributes());
          attributes.putAll(survivor.attributes());
          if (!attributes.equals(survivor.attributes())) {
            changes.put("attributes", new CustomerMerge.FieldChange(new JsonObject(new LinkedHashMap<>(survivor.attributes())),
                new JsonObject(new LinkedHashMap<>(attributes))));
          }
          Customer filled = new Customer(survivor.id(), survivor.displayName(), tier, language, attributes, notes, null,
              survivor.version(), survivor.createdAt(), survivor.updatedAt());
          CustomerMerge merge = new CustomerMerge(UUID.randomUUID(), survivorId, mergedId, changes, by.auditName(), null, null, null);
          Future<?> write = changes.isEmpty()
              ? Future.succeededFuture()
              : stores.customers().update(tx, filled, survivor.version());
          return write
              .compose(x -> stores.customers().setMergedInto(tx, mergedId, survivorId))
              .compose(x -> stores.customers().insertMerge(tx, merge))
              .compose(stored -> audit(tx, by, "customer.merged", survivorId,
                      new JsonObject().put("mergeId", stored.id().toString()).put("mergedId", mergedId.toString())
                          .put("fieldsFilled", new io.vertx.core.json.JsonArray(new ArrayList<>(changes.keySet()))))
                  .compose(x -> event(tx, HubEvents.CUSTOMER_MERGED, stored))
                  .map(stored));
        }))
        .onSuccess(m -> OutboxRelay.wake(vertx));
  }

  /**
   * Undoes a merge: the merged customer stands alone again, and each survivor field the merge filled in is
   * cleared back, unless someone has changed it since.
   */
  public Future<CustomerMerge> undoMerge(Principal by, UUID mergeId) {
    return stores.db().transaction(tx ->
        stores.customers().findMergeForUpdate(tx, mergeId).compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(new NotFoundException("no merge " + mergeId));
          }
          CustomerMerge merge = found.get();
          if (merge.undoneAt() != null) {
            return Future.failedFuture(new ConflictException("merge " + mergeId + " was already undone at " + merge.undoneAt()));
          }
          return stores.customers().findForUpdate(tx, merge.survivorId()).compose(survivorFound -> {
            Customer s = survivorFound.orElseThrow();
            String tier = revert("tier", s.tier(), merge);
            String language = revert("language", s.language(), merge);
            String notes = revert("notes", s.notes(), merge);
            Map<String, String> attributes = s.attributes();
            CustomerMerge.FieldChange attrChange = merge.fieldChanges().get("attributes");
            if (attrChange != null && asMap(attrChange.after()).equals(s.attributes())) {
              attributes = asMap(attrChange.before());
            }
            Customer reverted = new Customer(s.id(), s.displayName(), tier, language, attributes, notes, s.mergedInto(),
                s.version(), s.createdAt(), s.updatedAt());
            boolean changed = !Objects.equals(tier, s.tier()) || !Objects.equals(language, s.language())
                || !Objects.equals(notes, s.notes()) || !attributes.equals(s.attributes());
            Future<?> write = changed ? stores.customers().update(tx, reverted, s.version()) : Future.succeededFuture();
            return write
                .compose(x -> stores.customers().setMergedInto(tx, merge.mergedId(), null))
                .compose(x -> stores.customers().markMergeUndone(tx, mergeId, by.auditName()))
                .map(Optional::orElseThrow)
                .compose(undone -> audit(tx, by, "customer.unmerged", merge.survivorId(),
                        new JsonObject().put("mergeId", mergeId.toString()).put("mergedId", merge.mergedId().toString()))
                    .compose(x -> event(tx, HubEvents.CUSTOMER_UNMERGED, undone))
                    .map(undone));
          });
        }))
        .onSuccess(m -> OutboxRelay.wake(vertx));
  }

  /** Merges the customer took part in, oldest first. */
  public Future<List<CustomerMerge>> merges(CustomerId id) {
    StoreScope db = stores.db();
    return stores.customers().find(db, id).compose(found -> found.isEmpty()
        ? Future.failedFuture(notFound(id))
        : stores.customers().mergesOf(db, id));
  }

  /**
   * The customer's interactions across every channel (its golden record's, merged customers included),
   * newest first, each with its messages.
   */
  public Future<List<HistoryEntry>> history(CustomerId id, InteractionStore.Cursor cursor, int limit) {
    StoreScope db = stores.db();
    return stores.customers().resolve(db, id).compose(golden -> {
      if (golden.isEmpty()) {
        return Future.failedFuture(notFound(id));
      }
      return stores.customers().members(db, golden.get())
          .compose(members -> stores.interactions().ofCustomers(db, members, cursor, limit))
          .compose(interactions -> {
            List<InteractionId> ids = interactions.stream().map(Interaction::id).toList();
            return stores.messages().ofInteractions(db, ids).map(messages -> {
              Map<InteractionId, List<Message>> byInteraction = new LinkedHashMap<>();
              for (Message m : messages) {
                byInteraction.computeIfAbsent(m.interactionId(), k -> new ArrayList<>()).add(m);
              }
              List<HistoryEntry> out = new ArrayList<>();
              for (Interaction i : interactions) {
                out.add(new HistoryEntry(i, byInteraction.getOrDefault(i.id(), List.of())));
              }
              return out;
            });
          });
    });
  }

  private Future<List<Customer>> lockBoth(StoreTransaction tx, CustomerId a, CustomerId b) {
    // Lock in a fixed order so two opposite merges cannot deadlock.
    boolean aFirst = a.value().compareTo(b.value()) < 0;
    CustomerId first = aFirst ? a : b;
    CustomerId second = aFirst ? b : a;
    return stores.customers().findForUpdate(tx, first).compose(f ->
        stores.customers().findForUpdate(tx, second).compose(s -> {
          if (f.isEmpty()) {
            return Future.failedFuture(notFound(first));
          }
          if (s.isEmpty()) {
            return Future.failedFuture(notFound(second));
          }
          return Future.succeededFuture(aFirst ? List.of(f.get(), s.get()) : List.of(s.get(), f.get()));
        }));
  }

  private Future<List<Identity>> addIdentities(StoreTransaction tx, CustomerId owner, List<IdentityKey> keys, int index, List<Identity> added) {
    if (index == keys.size()) {
      return Future.succeededFuture(added);
    }
    IdentityKey k = keys.get(index);
    return stores.customers()
        .insertIdentity(tx, new Identity(IdentityId.random(), owner, k.kind(), k.provider(), k.value(), Instant.now()))
        .compose(inserted -> {
          if (inserted.isEmpty()) {
            return stores.customers().findByIdentity(tx, k.kind(), k.provider(), k.value()).compose(holder ->
                Future.failedFuture(new ConflictException(
                    k.kind().wireName() + (k.provider().isEmpty() ? "" : " (" + k.provider() + ")") + " '" + k.value()
                        + "' already belongs to customer " + holder.map(CustomerId::toString).orElse("?"))));
          }
          added.add(inserted.get());
          return addIdentities(tx, owner, keys, index + 1, added);
        });
  }

  private List<IdentityKey> normalizeAll(List<SenderAddress> addresses, String field) {
    List<IdentityKey> keys = new ArrayList<>();
    List<ValidationException.FieldError> errors = new ArrayList<>();
    Set<IdentityKey> seen = new HashSet<>();
    for (int i = 0; i < addresses.size(); i++) {
      try {
        IdentityKey k = normalizer.normalize(addresses.get(i), field + "[" + i + "].value");
        if (seen.add(k)) {
          keys.add(k);
        }
      } catch (ValidationException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return keys;
  }

  private Future<CustomerView> view(StoreScope db, Customer c) {
    if (c.mergedInto() != null) {
      return stores.customers().identitiesOf(db, List.of(c.id())).map(ids -> new CustomerView(c, ids));
    }
    return stores.customers().members(db, c.id())
        .compose(members -> stores.customers().identitiesOf(db, members))
        .map(ids -> new CustomerView(c, ids));
  }

  private Future<List<CustomerView>> views(StoreScope db, List<Customer> customers) {
    Future<List<CustomerView>> acc = Future.succeededFuture(new ArrayList<>());
    for (Customer c : customers) {
      acc = acc.compose(list -> view(db, c).map(v -> {
        list.add(v);
        return list;
      }));
    }
    return acc;
  }

  private Future<Void> audit(StoreTransaction tx, Principal by, String action, CustomerId id, JsonObject details) {
    return stores.audit().append(tx, by.auditName(), action, "customer", id.toString(), details);
  }

  private Future<Long> event(StoreTransaction tx, String type, CustomerMerge m) {
    return stores.outbox().append(tx, OutboxRelay.EVENT_PREFIX + type, OutboxRelay.event(type, new JsonObject()
        .put("mergeId", m.id().toString())
        .put("survivorId", m.survivorId().toString())
        .put("mergedId", m.mergedId().toString())));
  }

  private static String fill(String field, String survivorValue, String mergedValue, Map<String, CustomerMerge.FieldChange> changes) {
    if (survivorValue == null && mergedValue != null) {
      changes.put(field, new CustomerMerge.FieldChange(null, mergedValue));
      return mergedValue;
    }
    return survivorValue;
  }

  private static String revert(String field, String current, CustomerMerge merge) {
    CustomerMerge.FieldChange change = merge.fieldChanges().get(field);
    if (change != null && Objects.equals(String.valueOf(change.after()), current)) {
      return change.before() == null ? null : String.valueOf(change.before());
    }
    return current;
  }

  private static Map<String, String> asMap(Object json) {
    Map<String, String> out = new LinkedHashMap<>();
    if (json instanceof JsonObject o) {
      o.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    } else if (json instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    }
    return out;
  }

  private static CustomerDraft draftOf(Customer c) {
    return new CustomerDraft(c.displayName(), c.tier(), c.language(), c.attributes(), c.notes(), List.of());
  }

  private static JsonObject diff(Customer before, Customer after) {
    JsonObject changed = new JsonObject();
    if (!Objects.equals(before.displayName(), after.displayName())) changed.put("displayName", after.displayName());
    if (!Objects.equals(before.tier(), after.tier())) changed.put("tier", after.tier());
    if (!Objects.equals(before.language(), after.language())) changed.put("language", after.language());
    if (!Objects.equals(before.attributes(), after.attributes())) changed.put("attributes", new JsonObject(new LinkedHashMap<>(after.attributes())));
    if (!Objects.equals(before.notes(), after.notes())) changed.put("notes", "(changed)");
    return new JsonObject().put("changed", changed).put("version", after.version());
  }

  private static NotFoundException notFound(CustomerId id) {
    return new NotFoundException("no customer " + id);
  }

}

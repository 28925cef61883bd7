package io.switchboard.hub.app.http;

import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.IdentityId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.customer.CustomerDraft;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.customer.CustomerView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/v1/customers}: the customer record, its identities, history across channels, and reversible
 * merges. Any staff member may read customers and edit their names, languages, attributes and notes (agents work
 * with them all day); merging, undoing a merge, linking or unlinking identities and setting the tier take the rights
 * of {@code security.rights} (supervisors by default; {@link io.switchboard.hub.core.access.Rights}).
 */
final class CustomerRoutes {
  private static final Set<String> PATCHABLE = Set.of("version", "displayName", "tier", "language", "attributes", "notes");

  record CreateRequest(
      String displayName, String tier, String language, Map<String, String> attributes, String notes,
      List<Wire.Address> identities) {
    CustomerDraft toDraft() {
      List<SenderAddress> addresses = new ArrayList<>();
      if (identities != null) {
        for (int i = 0; i < identities.size(); i++) {
          if (identities.get(i) == null) {
            throw new ValidationException("identities[" + i + "]", "must not be null");
          }
          addresses.add(identities.get(i).toSender("identities[" + i + "]"));
        }
      }
      return new CustomerDraft(displayName, tier, language, attributes, notes, addresses);
    }
  }

  record MergeRequest(String mergedCustomerId) {
    MergeRequest {
      if (mergedCustomerId == null) {
        throw new ValidationException("mergedCustomerId", "is required");
      }
    }
  }

  /** A page of history as read ({@code page}, for the cursor) and as the caller may see it ({@code shown}). */
  record HistoryPage(java.util.List<io.switchboard.hub.core.customer.HistoryEntry> page,
      java.util.List<io.switchboard.hub.core.customer.HistoryEntry> shown) {}

  static void mount(Router router, CustomerService customers, io.switchboard.hub.core.access.WorkVisibility visibility,
      io.switchboard.hub.core.access.Rights rights, Authn authn) {
    var staff = authn.staff(Role.AGENT);

    router.get("/api/v1/customers").handler(staff).handler(ctx -> search(ctx, customers));
    router.post("/api/v1/customers").handler(staff).handler(ctx -> {
      CustomerDraft draft = JsonBodies.read(ctx, CreateRequest.class).toDraft();
      if (draft.tier() != null) {
        rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.EDIT_TIER);
      }
      Respond.json(ctx, customers.create(Authn.principal(ctx), draft).onSuccess(v ->
          ctx.response().putHeader("Location", "/api/v1/customers/" + v.customer().id())), 201, ApiJson::customer);
    });
    router.get("/api/v1/customers/:id").handler(staff).handler(ctx ->
        Respond.json(ctx, customers.get(id(ctx)), 200, ApiJson::customer));
    router.patch("/api/v1/customers/:id").handler(staff).handler(ctx -> patch(ctx, customers, rights));
    router.get("/api/v1/customers/:id/identities").handler(staff).handler(ctx ->
        Respond.json(ctx, customers.get(id(ctx)), 200, v -> ApiJson.array(v.identities(), ApiJson::identity)));
    router.post("/api/v1/customers/:id/identities").handler(staff).handler(ctx -> {
      rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.EDIT_IDENTITIES);
      SenderAddress address = JsonBodies.read(ctx, Wire.Address.class).toSender("");
      Respond.json(ctx, customers.addIdentity(Authn.principal(ctx), id(ctx), address), 201, ApiJson::identity);
    });
    router.delete("/api/v1/customers/:id/identities/:identityId").handler(staff).handler(ctx -> {
      rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.EDIT_IDENTITIES);
      Respond.noContent(ctx, customers.removeIdentity(Authn.principal(ctx), id(ctx),
          Params.pathId(ctx, "identityId", IdentityId::parse)));
    });
    router.get("/api/v1/customers/:id/history").handler(staff).handler(ctx -> {
      int limit = Params.intQuery(ctx, "limit", 20, 1, 100);
      var cursor = Cursors.parse(Params.query(ctx, "cursor"));
      // The page is cut by the store before the rule runs, so the cursor stays right even when entries are hidden.
      Respond.json(ctx, customers.history(id(ctx), cursor, limit).compose(page -> visibility.history(Authn.staff(ctx), page)
          .map(shown -> new HistoryPage(page, shown))), 200, p -> new JsonObject()
          .put("items", ApiJson.array(p.shown(), ApiJson::history))
          .put("nextCursor", Cursors.next(p.page().stream().map(e -> e.interaction()).toList(), limit)));
    });
    router.get("/api/v1/customers/:id/merges").handler(staff).handler(ctx ->
        Respond.json(ctx, customers.merges(id(ctx)), 200, list -> ApiJson.array(list, ApiJson::merge)));
    router.post("/api/v1/customers/:id/merge").handler(staff).handler(ctx -> {
      rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.MERGE_CUSTOMERS);
      MergeRequest req = JsonBodies.read(ctx, MergeRequest.class);
      CustomerId merged;
      try {
        merged = CustomerId.parse(req.mergedCustomerId());
      } catch (IllegalArgumentException e) {
        throw new ValidationException("mergedCustomerId", "is not a customer id");
      }
      Respond.json(ctx, customers.merge(Authn.principal(ctx), id(ctx), merged), 201, ApiJson::merge);
    });
    router.post("/api/v1/customer-merges/:mergeId/undo").handler(staff).handler(ctx -> {
      rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.UNMERGE_CUSTOMERS);
      Respond.json(ctx, customers.undoMerge(Authn.principal(ctx), Params.pathUuid(ctx, "mergeId")), 200, ApiJson::merge);
    });
  }

  private static CustomerId id(RoutingContext ctx) {
    return Params.pathId(ctx, "id", CustomerId::parse);
  }

  private static void search(RoutingContext ctx, CustomerService customers) {
    String q = Params.query(ctx, "q");
    String phone = Params.query(ctx, "phone");
    String email = Params.query(ctx, "email");
    int given = (q == null ? 0 : 1) + (phone == null ? 0 : 1) + (email == null ? 0 : 1);
    if (given > 1) {
      throw new Problems.BadRequest("search by one of q, phone or email at a time");
    }
    int limit = Params.intQuery(ctx, "limit", 20, 1, 100);
    int offset = Params.intQuery(ctx, "offset", 0, 0, 100_000);
    Future<List<CustomerView>> found;
    if (q != null) {
      found = customers.searchByName(q.strip(), limit, offset);
    } else if (phone != null || email != null) {
      SenderAddress address = phone != null
          ? new SenderAddress(IdentityKind.PHONE, "", phone)
          : new SenderAddress(IdentityKind.EMAIL, "", email);
      found = customers.findByAddress(address, phone != null ? "phone" : "email").map(o -> o.map(List::of).orElse(List.of()));
    } else {
      found = customers.list(limit, offset);
    }
    Respond.json(ctx, found, 200, list -> new JsonObject()
        .put("items", ApiJson.array(list, ApiJson::customer))
        .put("limit", limit)
        .put("offset", offset));
  }

  /**
   * PATCH with the fields to change and the {@code version} the client read. A field set to null is cleared
   * (displayName cannot be); {@code attributes} replaces the whole map.
   */
  private static void patch(RoutingContext ctx, CustomerService customers, io.switchboard.hub.core.access.Rights rights) {
    JsonObject body = JsonBodies.readObject(ctx);
    if (body.containsKey("tier")) {
      rights.require(Authn.principal(ctx), io.switchboard.hub.core.access.Rights.Right.EDIT_TIER);
    }
    for (String key : body.fieldNames()) {
      if (!PATCHABLE.contains(key)) {
        throw Problems.BadRequest.field(key, "unknown field or not editable");
      }
    }
    Object version = body.getValue("version");
    if (version == null) {
      throw new ValidationException("version", "is required: the version you read (optimistic locking)");
    }
    if (!(version instanceof Integer v)) {
      throw Problems.BadRequest.field("version", "expected a whole number");
    }
    Optional<String> displayName = text(body, "displayName");
    Optional<String> tier = text(body, "tier");
    Optional<String> language = text(body, "language");
    Optional<String> notes = text(body, "notes");
    Map<String, String> attributes = attributes(body);
    Respond.json(ctx, customers.update(Authn.principal(ctx), id(ctx), v, current -> new CustomerDraft(
        body.containsKey("displayName") ? displayName.orElse(null) : current.displayName(),
        body.containsKey("tier") ? tier.orElse(null) : current.tier(),
        body.containsKey("language") ? language.orElse(null) : current.language(),
        body.containsKey("attributes") ? attributes : current.attributes(),
        body.containsKey("notes") ? notes.orElse(null) : current.notes(),
        List.of())), 200, ApiJson::customer);
  }

  private static Optional<String> text(JsonObject body, String key) {
    Object v = body.getValue(key);
    if (v != null && !(v instanceof String)) {
      throw Problems.BadRequest.field(key, "expected a string or null");
    }
    return Optional.ofNullable((String) v);
  }

  private static Map<String, String> attributes(JsonObject body) {
    Object v = body.getValue("attributes");
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw Problems.BadRequest.field("attributes", "expected an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : o.fieldNames()) {
      Object value = o.getValue(k);
      if (!(value instanceof String s)) {
        throw Problems.BadRequest.field("attributes." + k, "expected a string");
      }
      out.put(k, s);
    }
    return out;
  }

}

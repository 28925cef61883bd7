package io.switchboard.hub.core.agent;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.core.auth.AuthService;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.AgentStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.UniqueViolation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Staff accounts: creation with skills and capacity, listing. */
public final class AgentService {

  /**
   * Per-channel capacity given to agents that do not set their own, and the channels whose work excludes
   * every other (voice: an agent on a call takes nothing else).
   */
  public record CapacityDefaults(Map<Channel, Integer> capacity, Set<Channel> exclusive) {
    public CapacityDefaults {
      capacity = Map.copyOf(capacity);
      exclusive = Set.copyOf(exclusive);
    }

    /** Voice 1 and exclusive, chat 3, email 5, social 3. */
    public static CapacityDefaults standard() {
      return new CapacityDefaults(
          Map.of(Channel.VOICE, 1, Channel.CHAT, 3, Channel.EMAIL, 5, Channel.SOCIAL, 3), Set.of(Channel.VOICE));
    }
  }

  private final Stores stores;
  private final AuthService auth;
  private final CapacityDefaults defaults;

  public AgentService(Stores stores, AuthService auth, CapacityDefaults defaults) {
    this.stores = stores;
    this.auth = auth;
    this.defaults = defaults;
  }

  /**
   * Creates a member of staff; fails with {@link ConflictException} when the username is taken and with a
   * {@link io.switchboard.hub.api.error.ValidationException} when the password fails
   * {@link io.switchboard.hub.core.auth.PasswordPolicy} (the demo seed's published demo passwords are exempt: those
   * accounts only work while the demo is on).
   */
  public Future<Agent> create(Principal by, AgentDraft draft) {
    if (!(by instanceof Principal.System s && s.job().equals("demo-seed"))) {
      var problem = io.switchboard.hub.core.auth.PasswordPolicy.problem(draft.password());
      if (problem.isPresent()) {
        return Future.failedFuture(new io.switchboard.hub.api.error.ValidationException("password", problem.get()));
      }
    }
    Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
    capacity.putAll(defaults.capacity());
    capacity.putAll(draft.capacity());
    Agent agent = new Agent(AgentId.random(), draft.username(), draft.displayName().strip(), draft.role(), true,
        draft.skills(), capacity, Instant.now());
    return auth.accounts().hashPassword(draft.password())
        .compose(hash -> stores.db().inTransaction(tx ->
            stores.agents().insert(tx, agent, hash, defaults.exclusive())
                .compose(x -> stores.audit().append(tx, by.auditName(), "agent.created", "agent", agent.id().toString(),
                    new JsonObject().put("username", agent.username()).put("role", agent.role().wireName())))))
        .recover(e -> UniqueViolation.on(e, AgentStore.USERNAME_CONSTRAINT)
            ? Future.failedFuture(new ConflictException("username '" + draft.username() + "' is taken"))
            : Future.failedFuture(e))
        .compose(x -> get(agent.id()));
  }

  /**
   * Replaces a member of staff's display name (when given), skills and capacity, audited as
   * {@code agent.profile_changed}; fails with {@link NotFoundException} for an unknown id. The caller refreshes the
   * agent's live routing state.
   */
  public Future<Agent> updateProfile(Principal by, AgentId id, AgentProfile profile) {
    Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
    capacity.putAll(defaults.capacity());
    capacity.putAll(profile.capacity());
    JsonObject skills = new JsonObject();
    profile.skills().forEach(skills::put);
    JsonObject caps = new JsonObject();
    capacity.forEach((ch, n) -> caps.put(ch.wireName(), n));
    return stores.db().inTransaction(tx -> stores.agents()
            .replaceProfile(tx, id, profile.displayName(), profile.skills(), capacity, defaults.exclusive())
            .compose(found -> !found ? Future.failedFuture(new NotFoundException("no agent " + id))
                : stores.audit().append(tx, by.auditName(), "agent.profile_changed", "agent", id.toString(),
                    new JsonObject().put("displayName", profile.displayName()).put("skills", skills).put("capacity", caps))))
        .compose(x -> get(id));
  }

  /**
   * The agent's phone endpoint for the voice channel (an Asterisk dial string), empty when none is set; fails with
   * {@link NotFoundException} for an unknown id.
   */
  public Future<java.util.Optional<String>> phoneEndpoint(AgentId id) {
    return get(id).compose(a -> stores.agents().phoneEndpoint(stores.db().pool(), id));
  }

  /**
   * Sets (or, with null, removes) the agent's phone endpoint, audited as {@code agent.phone_endpoint_set}; fails with
   * {@link NotFoundException} for an unknown id. The caller has checked the dial string's shape.
   */
  public Future<Void> setPhoneEndpoint(Principal by, AgentId id, String endpoint) {
    return get(id).compose(a -> stores.db().inTransaction(tx ->
        stores.agents().setPhoneEndpoint(tx, id, endpoint)
            .compose(x -> stores.audit().append(tx, by.auditName(), "agent.phone_endpoint_set", "agent", id.toString(),
                new JsonObject().put("endpoint", endpoint)))));
  }

  public Future<Agent> get(AgentId id) {
    return stores.agents().find(stores.db().pool(), id).compose(found -> found
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id))));
  }

  public Future<List<Agent>> list() {
    return stores.agents().list(stores.db().pool());
  }
}

package io.switchboard.hub.core.auth;

import static io.switchboard.hub.core.CoreFixture.ADMIN;
import static io.switchboard.hub.core.CoreFixture.AUTH_SETTINGS;
import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.RateLimitedException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthServiceTest {
  private static final String PASSWORD = "correct horse battery";
  private static final AtomicInteger names = new AtomicInteger();

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
  void createdAgentLogsInAndTokenAuthenticatesWithItsRole() {
    String username = newUsername();
    Agent agent = await(f.agents.create(ADMIN, new AgentDraft(" " + username.toUpperCase() + " ", "Sally Supervisor",
        Role.SUPERVISOR, PASSWORD, Map.of("billing", 4), Map.of(Channel.CHAT, 2))));

    AuthService.Login login = await(f.auth.login(username.toUpperCase(), PASSWORD));

    assertThat(agent.username()).isEqualTo(username);
    assertThat(agent.skills()).isEqualTo(Map.of("billing", 4));
    assertThat(agent.capacity()).containsEntry(Channel.CHAT, 2).containsEntry(Channel.VOICE, 1)
        .containsEntry(Channel.EMAIL, 5);
    assertThat(login.token()).startsWith(AuthService.TOKEN_PREFIX);
    assertThat(login.expiresAt()).isAfter(Instant.now().plus(AUTH_SETTINGS.sessionTtl()).minusSeconds(60));
    assertThat(login.staff()).isEqualTo(new Principal.Staff(agent.id(), username, Role.SUPERVISOR));
    assertThat(await(f.auth.authenticate(login.token()))).isEqualTo(login.staff());
    // Only the token's hash is kept.
    assertThat(await(f.redis.call(f.redis.async().exists(f.redis.key("session:" + login.token()))))).isZero();
    assertThat(await(f.redis.call(f.redis.async().ttl(f.redis.key("session:" + Tokens.hash(login.token()))))))
        .isPositive();
    assertThat(await(f.agents.get(agent.id()))).isEqualTo(agent);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'agent.created' AND entity_id = $1",
        agent.id().toString())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM agent_capacity WHERE agent_id = $1 AND channel = 'voice' AND exclusive",
        agent.id().value())).isEqualTo(1);
  }

  @Test
  void wrongPasswordAndUnknownUserFailWithTheSameMessage() {
    String username = newAgent(Role.AGENT);

    AuthenticationException wrong = awaitFailure(f.auth.login(username, "wrong password"), AuthenticationException.class);
    AuthenticationException unknown = awaitFailure(f.auth.login("nobody-" + username, PASSWORD), AuthenticationException.class);
    AuthenticationException empty = awaitFailure(f.auth.login(username, ""), AuthenticationException.class);

    assertThat(wrong.getMessage()).isEqualTo(unknown.getMessage()).isEqualTo(empty.getMessage());
  }

  @Test
  void failuresHoldTheirAddressBackWithoutLockingTheOwnerOut() {
    String username = newAgent(Role.AGENT);
    await(f.auth.login(username, PASSWORD, "10.0.0.9")); // the owner's usual address
    for (int i = 0; i < AUTH_SETTINGS.maxFailedLogins(); i++) {
      awaitFailure(f.auth.login(username, "guess " + i, "10.0.0.1"), AuthenticationException.class);
    }
    // One more failure past the free ones holds the guessing address back, the right password included.
    awaitFailure(f.auth.login(username, "guess again", "10.0.0.1"), AuthenticationException.class);
    awaitFailure(f.auth.login(username, PASSWORD, "10.0.0.1"), RateLimitedException.class);
    // The owner, from the address they logged in from before, still gets in; so does another user elsewhere.
    await(f.auth.login(username, PASSWORD, "10.0.0.9"));
    String other = newAgent(Role.AGENT);
    await(f.auth.login(other, PASSWORD, "10.0.0.2"));
  }

  @Test
  void aSprayFromOneAddressIsHeldBack() {
    String real = newAgent(Role.AGENT);
    for (int i = 0; i <= AUTH_SETTINGS.maxFailedLogins(); i++) {
      awaitFailure(f.auth.login("sprayed-" + i, "Winter-2026!", "10.0.0.66"), AuthenticationException.class);
    }
    // Right after the failure past the free ones (the first hold is a second).
    awaitFailure(f.auth.login(real, PASSWORD, "10.0.0.66"), RateLimitedException.class);
  }

  @Test
  void logoutInvalidatesTheToken() {
    String username = newAgent(Role.ADMIN);
    AuthService.Login first = await(f.auth.login(username, PASSWORD));
    AuthService.Login second = await(f.auth.login(username, PASSWORD));

    await(f.auth.logout(first.token()));

    awaitFailure(f.auth.authenticate(first.token()), AuthenticationException.class);
    assertThat(await(f.auth.authenticate(second.token())).role()).isEqualTo(Role.ADMIN);
    await(f.auth.logout(first.token())); // idempotent
  }

  @Test
  void malformedOrUnknownTokensDoNotAuthenticate() {
    for (String token : new String[] {null, "", "Bearer x", AuthService.TOKEN_PREFIX + "unknown",
        AuthService.TOKEN_PREFIX + "x".repeat(300)}) {
      awaitFailure(f.auth.authenticate(token), AuthenticationException.class);
    }
  }

  @Test
  void duplicateUsernameIsAConflictAndNothingIsWritten() {
    String username = newAgent(Role.AGENT);
    long agents = f.count("SELECT count(*) FROM agents");
    long audit = f.count("SELECT count(*) FROM audit_log");

    awaitFailure(f.agents.create(ADMIN, new AgentDraft(username.toUpperCase(), "Someone Else", Role.ADMIN,
        "another password", Map.of("sales", 2), Map.of())), ConflictException.class);

    assertThat(f.count("SELECT count(*) FROM agents")).isEqualTo(agents);
    assertThat(f.count("SELECT count(*) FROM audit_log")).isEqualTo(audit);
    // The first account still logs in with its own password.
    assertThat(await(f.auth.login(username, PASSWORD)).staff().role()).isEqualTo(Role.AGENT);
  }

  @Test
  void agentDraftRejectsShortPasswordBadSkillsAndCapacityNamingEachField() {
    assertThatThrownBy(() -> new AgentDraft("ok.user", "Ok", Role.AGENT, "short", Map.of("billing", 6, "Bad Skill", 3),
            Map.of(Channel.CHAT, 51)))
        .isInstanceOfSatisfying(ValidationException.class, e ->
            assertThat(e.errors()).extracting(ValidationException.FieldError::field)
                .containsExactlyInAnyOrder("password", "skills.billing", "skills.Bad Skill", "capacity.chat"));
    assertThatThrownBy(() -> new AgentDraft("x", " ", null, "p".repeat(73), Map.of("billing", 0), null))
        .isInstanceOfSatisfying(ValidationException.class, e ->
            assertThat(e.errors()).extracting(ValidationException.FieldError::field)
                .containsExactlyInAnyOrder("username", "displayName", "role", "password", "skills.billing"));
    assertThatThrownBy(() -> new AgentDraft("bad name", "Ok", Role.AGENT, null, null, null))
        .isInstanceOfSatisfying(ValidationException.class, e ->
            assertThat(e.errors()).extracting(ValidationException.FieldError::field)
                .containsExactlyInAnyOrder("username", "password"));
  }

  @Test
  void passwordsAreStoredAsBcryptHashes() {
    String username = newAgent(Role.AGENT);

    String hash = await(f.db.pool().preparedQuery("SELECT password_hash FROM agents WHERE username = $1")
        .execute(io.vertx.sqlclient.Tuple.of(username))).iterator().next().getString(0);

    assertThat(hash).startsWith("$2a$04$").doesNotContain(PASSWORD);
  }

  private static void assertRejected(io.vertx.core.Future<?> future, String field) {
    ValidationException e = awaitFailure(future, ValidationException.class);
    assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly(field);
  }

  private static String newAgent(Role role) {
    String username = newUsername();
    await(f.agents.create(ADMIN, new AgentDraft(username, "Agent " + username, role, PASSWORD, Map.of(), Map.of())));
    return username;
  }

  private static String newUsername() {
    return "user" + names.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}

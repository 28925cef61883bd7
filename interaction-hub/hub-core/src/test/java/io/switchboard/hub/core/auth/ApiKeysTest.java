package io.switchboard.hub.core.auth;

import static io.switchboard.hub.core.CoreFixture.ADMIN;
import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.store.ApiKeyStore;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ApiKeys}: the integrations' keys, created, listed, verified and revoked (moved here from AuthServiceTest). */
class ApiKeysTest {
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
  void apiKeyAuthenticatesUntilRevoked() {
    ApiKeys.NewApiKey created = await(f.auth.apiKeys().create(ADMIN, "crm-sync", Set.of(Scopes.INBOUND), null));

    Principal.Integration integration = await(f.auth.apiKeys().verify(created.secret()));

    assertThat(created.secret()).startsWith(ApiKeys.API_KEY_PREFIX);
    assertThat(integration).isEqualTo(new Principal.Integration("crm-sync", Set.of(Scopes.INBOUND)));
    assertThat(f.count("SELECT count(*) FROM api_keys WHERE key_hash = $1", created.secret())).isZero();
    assertThat(await(f.auth.apiKeys().list())).extracting(ApiKeyStore.ApiKey::name).contains("crm-sync");
    awaitFailure(f.auth.apiKeys().verify(created.secret() + "x"), AuthenticationException.class);
    awaitFailure(f.auth.apiKeys().verify("not-a-key"), AuthenticationException.class);

    ApiKeyStore.ApiKey revoked = await(f.auth.apiKeys().revoke(ADMIN, created.key().id()));

    assertThat(revoked.revokedAt()).isNotNull();
    awaitFailure(f.auth.apiKeys().verify(created.secret()), AuthenticationException.class);
    awaitFailure(f.auth.apiKeys().revoke(ADMIN, created.key().id()), NotFoundException.class);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action IN ('api-key.created', 'api-key.revoked')"
        + " AND entity_id = $1", created.key().id().toString())).isEqualTo(2);
  }

  @Test
  void configuredApiKeySecretIsRegisteredAsGiven() {
    String secret = ApiKeys.API_KEY_PREFIX + "demo-" + "0123456789abcdef0123456789abcdef";

    await(f.auth.apiKeys().create(ADMIN, "demo", Set.of(Scopes.INBOUND, Scopes.METRICS), secret));

    assertThat(await(f.auth.apiKeys().verify(secret)).scopes()).containsExactlyInAnyOrder("inbound", "metrics");
    awaitFailure(f.auth.apiKeys().create(ADMIN, "demo-again", Set.of(Scopes.INBOUND), secret), ConflictException.class);
  }

  @Test
  void badApiKeyNameScopesOrSecretAreRejectedNamingTheField() {
    assertRejected(f.auth.apiKeys().create(ADMIN, "Bad Name", Set.of(Scopes.INBOUND), null), "name");
    assertRejected(f.auth.apiKeys().create(ADMIN, null, Set.of(Scopes.INBOUND), null), "name");
    assertRejected(f.auth.apiKeys().create(ADMIN, "ok-name", Set.of(), null), "scopes");
    assertRejected(f.auth.apiKeys().create(ADMIN, "ok-name", Set.of("inbound", "admin"), null), "scopes");
    assertRejected(f.auth.apiKeys().create(ADMIN, "ok-name", null, null), "scopes");
    assertRejected(f.auth.apiKeys().create(ADMIN, "ok-name", Set.of(Scopes.INBOUND), "sbk_short"), "secret");
    assertRejected(f.auth.apiKeys().create(ADMIN, "ok-name", Set.of(Scopes.INBOUND), "x".repeat(40)), "secret");
    assertThat(f.count("SELECT count(*) FROM api_keys WHERE name = 'ok-name'")).isZero();
  }

  @Test
  void duplicateApiKeyNameIsAConflict() {
    await(f.auth.apiKeys().create(ADMIN, "billing", Set.of(Scopes.METRICS), null));

    awaitFailure(f.auth.apiKeys().create(ADMIN, "billing", Set.of(Scopes.INBOUND), null), ConflictException.class);

    assertThat(f.count("SELECT count(*) FROM api_keys WHERE name = 'billing'")).isEqualTo(1);
  }

  private static void assertRejected(io.vertx.core.Future<?> future, String field) {
    ValidationException e = awaitFailure(future, ValidationException.class);
    assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly(field);
  }
}

package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import java.util.Objects;
import java.util.Set;

/** Who is calling: a member of staff with a login session, an integration with an API key, or the hub itself. */
public sealed interface Principal {

  /** How the audit log names this caller, such as {@code agent:alice}. */
  String auditName();

  /** A logged-in agent, supervisor or admin. */
  record Staff(AgentId agentId, String username, Role role) implements Principal {
    public Staff {
      Objects.requireNonNull(agentId, "agentId");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(role, "role");
    }

    @Override
    public String auditName() {
      return "agent:" + username;
    }
  }

  /** An integration holding an API key with these scopes. */
  record Integration(String keyName, Set<String> scopes) implements Principal {
    public Integration {
      Objects.requireNonNull(keyName, "keyName");
      scopes = Set.copyOf(scopes);
    }

    @Override
    public String auditName() {
      return "api-key:" + keyName;
    }
  }

  /** The hub's own jobs (demo seed, timers). */
  record System(String job) implements Principal {
    @Override
    public String auditName() {
      return "system:" + job;
    }
  }
}

-- Security hardening (issue 11).
-- Demo accounts and the demo API key are marked, so they stop working whenever a hub starts with the demo off.
ALTER TABLE agents ADD COLUMN demo boolean NOT NULL DEFAULT false;
ALTER TABLE api_keys ADD COLUMN demo boolean NOT NULL DEFAULT false;
UPDATE agents SET demo = true
 WHERE id::text IN (SELECT entity_id FROM audit_log WHERE actor = 'system:demo-seed' AND action = 'agent.created');
UPDATE api_keys SET demo = true WHERE created_by = 'system:demo-seed';

-- Raising an account's session epoch ends every session it has (on every node, at once): a session carries the
-- epoch it was opened in and is refused once the account's has moved on.
ALTER TABLE agents ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN password_changed_at timestamptz;

-- Secrets generated once per installation (such as the key that signs login sessions kept in Redis), so
-- whoever can write to Redis alone cannot make a session.
CREATE TABLE install_secrets (
  name        text PRIMARY KEY,
  secret      bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Routing runtime: rule versions, the classification each waiting interaction carries, offers.

-- Every accepted version of config/routing.yaml, so an admin can diff and roll back.
CREATE TABLE routing_rule_versions (
  version      integer PRIMARY KEY,
  source_text  text NOT NULL,
  sha256       text NOT NULL,
  origin       text NOT NULL,           -- 'file:<path>', 'api:<actor>', 'rollback:<version>'
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  active       boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX routing_rule_versions_one_active ON routing_rule_versions (active) WHERE active;

-- What the rules decided for an interaction when it was queued (rule, queue, priority, requirements,
-- relaxation steps, rules version), and who it must not be offered to again.
ALTER TABLE interactions
  ADD COLUMN routing jsonb,
  ADD COLUMN waiting_since timestamptz,
  ADD COLUMN excluded_agents uuid[] NOT NULL DEFAULT '{}';
CREATE INDEX interactions_waiting ON interactions (waiting_since) WHERE state IN ('queued', 'offered');

-- The live offer of an interaction, if any (at most one: the primary key).
CREATE TABLE offers (
  interaction_id  uuid PRIMARY KEY REFERENCES interactions (id),
  agent_id        uuid NOT NULL REFERENCES agents (id),
  offered_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL
);
CREATE INDEX offers_agent ON offers (agent_id);

-- Switchboard foundation schema. PostgreSQL is the system of record; Redis only holds live state that can
-- be rebuilt from these tables. Timestamps are timestamptz; ids are UUIDs made by the hub.

-- Staff: agents, supervisors and administrators.
CREATE TABLE agents (
  id             uuid PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role           text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash  text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_skills (
  agent_id     uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  skill        text NOT NULL CHECK (skill ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  proficiency  smallint NOT NULL CHECK (proficiency BETWEEN 1 AND 5),
  PRIMARY KEY (agent_id, skill)
);

-- How many interactions of a channel an agent works at once; an exclusive channel (voice) excludes all others.
CREATE TABLE agent_capacity (
  agent_id   uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  channel    text NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'social')),
  capacity   smallint NOT NULL CHECK (capacity BETWEEN 0 AND 50),
  exclusive  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (agent_id, channel)
);

-- Every agent state change, with its time: available, busy, after-call work, break (with a reason), offline.
CREATE TABLE agent_state_changes (
  id        bigserial PRIMARY KEY,
  agent_id  uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  state     text NOT NULL CHECK (state IN ('available', 'busy', 'after_call_work', 'break', 'offline')),
  reason    text,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_state_changes_agent_at ON agent_state_changes (agent_id, at DESC);

CREATE TABLE queues (
  id                     text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name                   text NOT NULL,
  service_level_percent  numeric(5, 2) NOT NULL DEFAULT 80 CHECK (service_level_percent BETWEEN 0 AND 100),
  service_level_seconds  integer NOT NULL DEFAULT 20 CHECK (service_level_seconds > 0),
  max_wait_seconds       integer NOT NULL DEFAULT 600 CHECK (max_wait_seconds > 0),
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Customers. A merged customer points at the golden record that absorbed it (merged_into); nothing of it is
-- moved or deleted, so a merge can be undone exactly.
CREATE TABLE customers (
  id            uuid PRIMARY KEY,
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  tier          text,
  language      text,
  attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
  notes         text,
  merged_into   uuid REFERENCES customers (id),
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX customers_name_lower ON customers (lower(display_name) text_pattern_ops);
CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

-- Normalised addresses: phones in E.164, emails lower-cased, handles per provider.
CREATE TABLE customer_identities (
  id           uuid PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers (id),
  kind         text NOT NULL CHECK (kind IN ('phone', 'email', 'handle')),
  provider     text NOT NULL DEFAULT '',
  value        text NOT NULL CHECK (length(value) BETWEEN 1 AND 320),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, provider, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE customer_merges (
  id            uuid PRIMARY KEY,
  survivor_id   uuid NOT NULL REFERENCES customers (id),
  merged_id     uuid NOT NULL REFERENCES customers (id),
  field_changes jsonb NOT NULL DEFAULT '{}'::jsonb,  -- {field: {"before": .., "after": ..}} on the survivor
  merged_by     text NOT NULL,
  merged_at     timestamptz NOT NULL DEFAULT now(),
  undone_by     text,
  undone_at     timestamptz
);
CREATE UNIQUE INDEX customer_merges_live ON customer_merges (merged_id) WHERE undone_at IS NULL;

-- A conversation is a thread with one customer on one channel (an email thread, a chat session, a social
-- thread, a call). thread_key is the provider's thread or session id.
CREATE TABLE conversations (
  id                uuid PRIMARY KEY,
  customer_id       uuid NOT NULL REFERENCES customers (id),
  channel           text NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'social')),
  thread_key        text,
  subject           text,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_activity_at  timestamptz NOT NULL DEFAULT now(),
  closed_at         timestamptz
);
CREATE UNIQUE INDEX conversations_open_thread ON conversations (channel, thread_key)
  WHERE status = 'open' AND thread_key IS NOT NULL;
CREATE INDEX conversations_customer ON conversations (customer_id, last_activity_at DESC);

-- An interaction is one piece of work for an agent: routed, offered, answered, wrapped up, ended.
CREATE TABLE interactions (
  id               uuid PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  customer_id      uuid NOT NULL REFERENCES customers (id),
  channel          text NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'social')),
  external_id      text NOT NULL,
  state            text NOT NULL CHECK (state IN ('created', 'queued', 'offered', 'assigned', 'wrap_up', 'ended', 'abandoned')),
  queue_id         text REFERENCES queues (id),
  priority         integer NOT NULL DEFAULT 0,
  agent_id         uuid REFERENCES agents (id),
  subject          text,
  attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
  disposition      text,
  end_reason       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  queued_at        timestamptz,
  offered_at       timestamptz,
  answered_at      timestamptz,
  wrap_up_at       timestamptz,
  ended_at         timestamptz,
  version          integer NOT NULL DEFAULT 1,
  UNIQUE (channel, external_id)
);
CREATE INDEX interactions_state_queue ON interactions (state, queue_id, created_at);
CREATE INDEX interactions_customer ON interactions (customer_id, created_at DESC);
CREATE INDEX interactions_agent ON interactions (agent_id, state) WHERE agent_id IS NOT NULL;
CREATE INDEX interactions_conversation ON interactions (conversation_id);

-- Every state change of an interaction, with its time, who and where.
CREATE TABLE interaction_transitions (
  id              bigserial PRIMARY KEY,
  interaction_id  uuid NOT NULL REFERENCES interactions (id),
  from_state      text,
  to_state        text NOT NULL,
  queue_id        text,
  agent_id        uuid,
  reason          text,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interaction_transitions_interaction ON interaction_transitions (interaction_id, id);

CREATE TABLE messages (
  id               uuid PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  interaction_id   uuid REFERENCES interactions (id),
  channel          text NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'social')),
  external_id      text,
  direction        text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  sender_address   text,
  sender_name      text,
  agent_id         uuid REFERENCES agents (id),
  subject          text,
  content_type     text NOT NULL CHECK (content_type IN ('text', 'media', 'location', 'unsupported')),
  content          jsonb NOT NULL,
  private          boolean NOT NULL DEFAULT false,
  status           text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  status_reason    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  status_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_channel_external ON messages (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
CREATE INDEX messages_interaction ON messages (interaction_id, created_at);

-- Why each interaction went where it went: candidates, exclusions, scores, relaxation step, rules version.
CREATE TABLE routing_decisions (
  id               uuid PRIMARY KEY,
  interaction_id   uuid NOT NULL REFERENCES interactions (id),
  decided_at       timestamptz NOT NULL DEFAULT now(),
  rules_version    integer,
  queue_id         text,
  chosen_agent_id  uuid,
  relaxation_step  integer,
  explanation      jsonb NOT NULL
);
CREATE INDEX routing_decisions_interaction ON routing_decisions (interaction_id, decided_at);

-- Transactional outbox: events and deliveries written with the change they report, relayed afterwards.
CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  topic            text NOT NULL,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  published_at     timestamptz,
  last_error       text
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE published_at IS NULL;

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,          -- 'agent:<uuid>', 'api-key:<name>' or 'system'
  action       text NOT NULL,          -- noun.past_verb, e.g. customer.merged
  entity_type  text NOT NULL,
  entity_id    text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at);

-- API keys for integrations; only a SHA-256 of the key is stored.
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  key_hash      text NOT NULL UNIQUE,
  scopes        text[] NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

-- One-time jobs already done on this database (such as the demo seed).
CREATE TABLE system_markers (
  name  text PRIMARY KEY,
  at    timestamptz NOT NULL DEFAULT now()
);

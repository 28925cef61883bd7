-- Interval reports (docs/reports.md): 15-minute figures per queue and channel, per agent and channel, and per
-- agent and state, computed from interactions, their transitions and agent state changes by ReportJob. Hours,
-- days and weeks are summed from these rows when read, in the business calendar's zone.

-- The transaction that wrote each transition and state change: the job reads what committed since its last run
-- by transaction id (rows of transactions older than every one still running are final), so a row that
-- commits late, with a smaller id than rows already seen, is still picked up.
ALTER TABLE interaction_transitions ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE agent_state_changes ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX interaction_transitions_tx ON interaction_transitions (tx);
CREATE INDEX interaction_transitions_at ON interaction_transitions (at);
CREATE INDEX agent_state_changes_tx ON agent_state_changes (tx);
CREATE INDEX agent_state_changes_at ON agent_state_changes (at);

CREATE TABLE report_queue_intervals (
  interval_start          timestamptz NOT NULL,
  queue_id                text NOT NULL,
  channel                 text NOT NULL,
  offered                 integer NOT NULL DEFAULT 0,
  answered                integer NOT NULL DEFAULT 0,
  answered_in_target      integer NOT NULL DEFAULT 0,
  abandoned               integer NOT NULL DEFAULT 0,
  abandoned_after_target  integer NOT NULL DEFAULT 0,
  wait_ms                 bigint NOT NULL DEFAULT 0,   -- summed answered_at - queued_at of the answered
  handled                 integer NOT NULL DEFAULT 0,
  handle_ms               bigint NOT NULL DEFAULT 0,   -- summed ended_at - answered_at of the handled
  talk_ms                 bigint NOT NULL DEFAULT 0,   -- summed wrap_up_at (else ended_at) - answered_at
  transfers               integer NOT NULL DEFAULT 0,
  fcr_resolved            integer NOT NULL DEFAULT 0,  -- handled with no new contact of the customer in the queue within N days
  PRIMARY KEY (interval_start, queue_id, channel)
);

CREATE TABLE report_agent_intervals (
  interval_start  timestamptz NOT NULL,
  agent_id        uuid NOT NULL,
  channel         text NOT NULL,
  answered        integer NOT NULL DEFAULT 0,
  handled         integer NOT NULL DEFAULT 0,
  handle_ms       bigint NOT NULL DEFAULT 0,
  talk_ms         bigint NOT NULL DEFAULT 0,
  transfers       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (interval_start, agent_id, channel)
);
CREATE INDEX report_agent_intervals_agent ON report_agent_intervals (agent_id, interval_start);

-- Milliseconds an agent spent in each state within the interval (offline is not stored: it is the rest).
CREATE TABLE report_agent_states (
  interval_start  timestamptz NOT NULL,
  agent_id        uuid NOT NULL,
  state           text NOT NULL,
  ms              bigint NOT NULL,
  PRIMARY KEY (interval_start, agent_id, state)
);
CREATE INDEX report_agent_states_agent ON report_agent_states (agent_id, interval_start);

-- How far the job has read: transactions below horizon are taken in; states are counted up to `until`.
CREATE TABLE report_watermark (
  name        text PRIMARY KEY,
  horizon     xid8 NOT NULL,
  until       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- 15-minute intervals to compute again (changed rows, late events, a requested rebuild).
CREATE TABLE report_dirty (
  interval_start  timestamptz PRIMARY KEY
);

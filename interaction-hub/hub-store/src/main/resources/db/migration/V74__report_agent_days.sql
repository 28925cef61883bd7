-- Daily roll-ups of the agent report rows (docs/reports.md "Daily roll-ups"): one row per agent, business day and
-- channel, and per agent, business day and state, summed from report_agent_intervals / report_agent_states by the
-- report job in the same transaction as the intervals of that day. A month per agent by day or week reads ~30 rows
-- per agent instead of ~4,000 (issue #16: a month over 1 M interactions within a second).
--
-- A day is the business calendar's (its zone's midnight to the next, 23 or 25 hours on DST days). The roll-ups are
-- built for one zone at a time, named in report_rollup_zone; when the calendar's zone changes, the job rebuilds
-- them all from the interval rows, and until then reports read the interval rows.

CREATE TABLE report_agent_days (
  day_start      timestamptz NOT NULL,   -- midnight of the business day in the zone of report_rollup_zone
  agent_id       uuid NOT NULL,
  channel        text NOT NULL,
  answered       integer NOT NULL DEFAULT 0,
  handled        integer NOT NULL DEFAULT 0,
  handle_ms      bigint NOT NULL DEFAULT 0,
  talk_ms        bigint NOT NULL DEFAULT 0,
  transfers      integer NOT NULL DEFAULT 0,
  csat_sent      integer NOT NULL DEFAULT 0,
  csat_answered  integer NOT NULL DEFAULT 0,
  csat_sum       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day_start, agent_id, channel)
);

CREATE TABLE report_agent_state_days (
  day_start  timestamptz NOT NULL,
  agent_id   uuid NOT NULL,
  state      text NOT NULL,
  ms         bigint NOT NULL,
  PRIMARY KEY (day_start, agent_id, state)
);

-- The zone the day roll-ups are built for (one row; none: not built yet).
CREATE TABLE report_rollup_zone (
  name  text PRIMARY KEY CHECK (name = 'days'),
  zone  text NOT NULL
);

-- Customer satisfaction surveys (docs/reports.md "CSAT"): at most one per interaction (the primary key), created when
-- the survey is put to the customer (web chat widget after the end, email link, social question, voice digit) and
-- answered once. The answer lives here, beside the interaction it rates.
CREATE TABLE csat_surveys (
  interaction_id  uuid PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
  customer_id     uuid NOT NULL,
  channel         text NOT NULL,
  queue_id        text,
  agent_id        uuid,
  via             text NOT NULL,                -- how it was put: widget, email, social, voice
  thread_key      text,                         -- social: the provider thread the question went to (answers come back there)
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'answered', 'closed', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,   -- email/social: sending attempts
  next_attempt_at timestamptz NOT NULL DEFAULT now(), -- email/social: not tried before (a lease while one node sends)
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  expires_at      timestamptz NOT NULL,
  rating          smallint CHECK (rating BETWEEN 1 AND 5),
  comment         text CHECK (comment IS NULL OR length(comment) <= 1000),
  answered_at     timestamptz,
  -- The transaction that last changed the row: the report job takes in answers by commit order (V70).
  tx              xid8 NOT NULL DEFAULT pg_current_xact_id(),
  CHECK ((rating IS NULL) = (answered_at IS NULL))
);
CREATE INDEX csat_surveys_tx ON csat_surveys (tx);
CREATE INDEX csat_surveys_customer ON csat_surveys (customer_id, answered_at DESC);
CREATE INDEX csat_surveys_to_send ON csat_surveys (next_attempt_at) WHERE status = 'pending';
CREATE INDEX csat_surveys_thread ON csat_surveys (channel, thread_key, sent_at DESC) WHERE status = 'sent' AND thread_key IS NOT NULL;

-- Report figures: surveys put to customers for the interactions that ended in the interval, the answered ones and
-- the sum of their ratings (average = sum / answered; response rate = answered / sent).
ALTER TABLE report_queue_intervals
  ADD COLUMN csat_sent integer NOT NULL DEFAULT 0,
  ADD COLUMN csat_answered integer NOT NULL DEFAULT 0,
  ADD COLUMN csat_sum integer NOT NULL DEFAULT 0;
ALTER TABLE report_agent_intervals
  ADD COLUMN csat_sent integer NOT NULL DEFAULT 0,
  ADD COLUMN csat_answered integer NOT NULL DEFAULT 0,
  ADD COLUMN csat_sum integer NOT NULL DEFAULT 0;

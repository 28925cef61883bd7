-- A social customer's next message is checked against the newest survey question on its thread, open or just
-- answered (a re-delivered answer): the index covers both (V72's covered open ones only).
DROP INDEX csat_surveys_thread;
CREATE INDEX csat_surveys_thread ON csat_surveys (channel, thread_key, created_at DESC) WHERE thread_key IS NOT NULL;

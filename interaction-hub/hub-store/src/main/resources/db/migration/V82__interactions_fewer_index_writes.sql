-- Fewer index writes per interaction lifecycle (issue 12.2). An interaction's row is updated about five times in its
-- life (queued, offered, assigned, wrap-up, ended), each time changing its state, so none of those updates can be HOT
-- and every update adds an entry to every index of the table whose predicate the new row satisfies. Open work is
-- a small part of the table and the queries that look for it by state (the waiting list, agents' work in progress,
-- interactions stuck in 'created') only ever ask for open states: one small partial index over open rows serves them
-- all, replacing the full (state, queue_id, created_at) index (no query filters by state and queue together; the
-- interactions list with both filters reads interactions_created_at backwards) and the waiting index
-- (waiting_since, for queued and offered rows). Ended and abandoned rows leave it for good.
CREATE INDEX interactions_open ON interactions (state, waiting_since)
  WHERE state IN ('created', 'queued', 'offered', 'assigned', 'wrap_up');
DROP INDEX interactions_state_queue;
DROP INDEX interactions_waiting;

-- Room on each page for an updated row version: updates that change no indexed column (attributes, a customer who
-- left, offers' exclusions) stay HOT, on the same page, without index entries.
ALTER TABLE interactions SET (fillfactor = 85);

-- Issue 12: each relay polls the outbox for its own topic family ('event.', 'delivery.', 'webhook.'): the index over
-- pending entries is keyed by the family (the topic up to its first dot) and then by when an entry is due, so a poll
-- reads the due entries of its family and nothing else, whatever the published history (kept for the retention) and
-- the other families hold. Before, every poll read the due entries of every family through (next_attempt_at) and
-- filtered out the others' (an index range over the whole pending set, then a sort).
-- It replaces outbox_pending: an entry still costs one pending-index insert; nothing else reads that index by itself.
CREATE INDEX outbox_pending_family ON outbox (split_part(topic, '.', 1), next_attempt_at) WHERE published_at IS NULL;
DROP INDEX outbox_pending;

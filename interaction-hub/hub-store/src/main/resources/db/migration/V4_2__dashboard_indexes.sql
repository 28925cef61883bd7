-- The supervisor dashboard reads each queue's interactions of today and of the last 30 minutes once a second
-- (DashboardStore): an interaction counts when it entered its queue, was answered, or ended in that period.
-- These indexes keep that read to the day's rows however long the history grows.
CREATE INDEX interactions_queued_at ON interactions (queued_at) WHERE queue_id IS NOT NULL;
CREATE INDEX interactions_answered_at ON interactions (answered_at) WHERE queue_id IS NOT NULL;
CREATE INDEX interactions_ended_at ON interactions (ended_at) WHERE queue_id IS NOT NULL;

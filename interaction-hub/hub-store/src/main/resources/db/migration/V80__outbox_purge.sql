-- The outbox is purged after delivery (issue 12.5): published entries older than the configured retention
-- (outbox.retention) are deleted in batches by the relay. This index finds them without reading pending ones.
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

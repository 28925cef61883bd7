-- Provider timestamps are claims (issue 17.8): an inbound message's created_at is when the hub received it, by the
-- hub's clock, and queue and service-level clocks start there; the time its provider or client claims is kept here.
ALTER TABLE messages ADD COLUMN sent_at timestamptz;

-- Outbound webhooks (docs/webhooks.md): admins subscribe URLs to hub events; every delivery is a row here (the
-- delivery log) and an outbox entry 'webhook.deliver' (the work queue with retries), written together.
CREATE TABLE webhook_subscriptions (
  id               uuid PRIMARY KEY,
  url              text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  events           text[] NOT NULL,
  secret           text NOT NULL,         -- the HMAC-SHA256 key; shown once when created, never returned again
  description      text,
  active           boolean NOT NULL DEFAULT true,
  failures_in_row  integer NOT NULL DEFAULT 0,
  disabled_at      timestamptz,
  disabled_reason  text,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id                uuid PRIMARY KEY,
  subscription_id   uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id          text NOT NULL,
  event             text NOT NULL,
  payload           jsonb NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
  attempts          integer NOT NULL DEFAULT 0,
  last_status_code  integer,
  last_error        text,
  last_attempt_at   timestamptz,
  delivered_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC);

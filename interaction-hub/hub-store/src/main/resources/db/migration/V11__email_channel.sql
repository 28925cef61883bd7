-- Email channel: how far each mailbox has been read, files that arrive with inbound messages, and messages set
-- aside because they could not be taken in.

-- How far an adapter has read a source it reads in order: for a mailbox, its UIDVALIDITY (epoch) and the last
-- UID stored (position). Positions only move forward within an epoch; a new epoch replaces the row.
CREATE TABLE channel_cursors (
  adapter     text NOT NULL,
  source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  epoch       bigint NOT NULL,
  position    bigint NOT NULL CHECK (position >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (adapter, source)
);

-- Files that came with an inbound message (email attachments and inline images) have no uploader.
ALTER TABLE attachments
  ALTER COLUMN uploaded_by DROP NOT NULL,
  ADD COLUMN content_id text,
  ADD COLUMN inline boolean NOT NULL DEFAULT false;

-- Threading by the Message-ID of a reply the hub sent (a customer's In-Reply-To names it).
CREATE INDEX messages_provider_id_any ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;

-- What an adapter received but could not take in (an email that cannot be parsed, a bounce for no message the
-- hub sent), raw, with the reason; supervisors see and dismiss them.
CREATE TABLE quarantine (
  id            uuid PRIMARY KEY,
  channel       text NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'social')),
  source        text NOT NULL,
  reference     text NOT NULL,
  reason        text NOT NULL,
  media_type    text NOT NULL,
  raw           bytea NOT NULL,
  size_bytes    bigint NOT NULL,
  facts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at   timestamptz NOT NULL,
  stored_at     timestamptz NOT NULL DEFAULT now(),
  dismissed_at  timestamptz,
  dismissed_by  text,
  UNIQUE (channel, reference)
);
CREATE INDEX quarantine_open ON quarantine (stored_at DESC) WHERE dismissed_at IS NULL;

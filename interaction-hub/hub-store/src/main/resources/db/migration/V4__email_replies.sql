-- Email replies: recipients and threading headers on messages, and files agents attach to replies.

-- The email headers of a message of the email channel: {"to": [{"address", "name"}], "cc": [...],
-- "inReplyTo": "<hub message uuid>", "references": ["<id@host>", ...]}; null on other channels.
ALTER TABLE messages ADD COLUMN email jsonb;

-- A file uploaded by staff. Unused (message_id null) until a reply that attaches it is stored; an
-- attachment is used by one message only. Unused ones are deleted after a day by a periodic sweep.
CREATE TABLE attachments (
  id           uuid PRIMARY KEY,
  uploaded_by  uuid NOT NULL REFERENCES agents (id),
  media_type   text NOT NULL,
  file_name    text NOT NULL,
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL,
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  message_id   uuid REFERENCES messages (id)
);
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_unused ON attachments (created_at) WHERE message_id IS NULL;

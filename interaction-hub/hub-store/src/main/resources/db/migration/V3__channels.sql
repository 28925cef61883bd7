-- Channel adapters: how to answer a customer, and delivery of outbound messages.

-- The sender of an inbound message as the channel named it (kind and provider), so a reply can go back
-- the same way; outbound messages record the provider's id for status callbacks.
ALTER TABLE messages
  ADD COLUMN sender_kind text CHECK (sender_kind IN ('phone', 'email', 'handle')),
  ADD COLUMN sender_provider text,
  ADD COLUMN provider_message_id text,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX messages_provider_id ON messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

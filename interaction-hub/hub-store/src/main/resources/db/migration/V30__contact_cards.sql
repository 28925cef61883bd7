-- Contact cards customers share (Telegram contact, WhatsApp contacts) are stored as their own content type
-- (issue 9.9): a name with the phone numbers and email addresses as the provider gave them.
ALTER TABLE messages DROP CONSTRAINT messages_content_type_check;
ALTER TABLE messages ADD CONSTRAINT messages_content_type_check
  CHECK (content_type IN ('text', 'media', 'location', 'contact', 'unsupported'));

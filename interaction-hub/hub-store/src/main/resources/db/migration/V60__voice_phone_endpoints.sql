-- Voice channel: each agent's phone endpoint, an Asterisk dial string (PJSIP/1001, Local/1001@phones) that the voice
-- adapter rings when an offer reaches the agent. NULL: the agent has no phone (offers show on the console only).
ALTER TABLE agents ADD COLUMN phone_endpoint text
  CHECK (phone_endpoint IS NULL OR length(phone_endpoint) BETWEEN 3 AND 200);

-- The customer ended a contact an agent was working (closed the chat): when and why. The interaction stays
-- with its agent (who wraps it up); replies are refused from then on. A transition with the same state on
-- both sides ("customer left: ...") records it in the interaction's history as well.
ALTER TABLE interactions
  ADD COLUMN customer_left_at     timestamptz,
  ADD COLUMN customer_left_reason text;

-- Queue membership (routing profiles, #9.5): the queues an agent serves. An agent with no row serves every queue
-- (the default). Queue ids are those of config/routing.yaml; a row whose queue the rules no longer name is kept and
-- ignored by routing (the admin API reports it as unknown), so editing the rules never loses an assignment.
CREATE TABLE agent_queues (
  agent_id  uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  queue_id  text NOT NULL CHECK (queue_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  PRIMARY KEY (agent_id, queue_id)
);

CREATE INDEX agent_queues_queue ON agent_queues (queue_id);

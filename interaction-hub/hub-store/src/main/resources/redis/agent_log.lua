-- Prelude of the scripts that change an agent's live state (put_agent, set_state, present, heartbeat, reserve, release,
-- finish, transfer, repair_agent); RoutingState puts it in front of each of them when it loads them.
-- note_agent(seq key, log key, agent id): counts one change of the agents and notes the agent in the change log (a
-- sorted set: agent id -> the number of its last change; one entry per agent, so it never grows past the roster), so
-- each node's in-memory agent index reads only the agents changed since it last looked (hub-core AgentIndex), never
-- every agent.
local function note_agent(seq, log, id)
  local n = redis.call('INCR', seq)
  redis.call('ZADD', log, n, id)
  return n
end

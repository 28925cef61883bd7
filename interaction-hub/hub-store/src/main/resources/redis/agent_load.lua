-- Prelude of the scripts that answer an agent's live state after changing it (reserve, finish); RoutingState puts it in
-- front of each of them when it loads them.
-- agent_fields(agent hash key, channels): the agent's hash after the script's change as [field, value, ...] (a field
-- the hash lacks left out): state, reason, since, presence, idle time, skills, queues, exclusive channels, load totals,
-- and capacity and load on each of the channels, read in one HMGET, so the caller reads nothing back (issue #12: the
-- load told to consoles, and the node's agent index, come from this answer).
local AGENT_FIELDS = {'state', 'reason', 'since', 'present', 'idleSince', 'skills', 'queues', 'excl', 'load_total', 'load_excl'}
local function agent_fields(agent, channels)
  local fields = {}
  for _, f in ipairs(AGENT_FIELDS) do fields[#fields + 1] = f end
  for _, c in ipairs(channels) do
    fields[#fields + 1] = 'cap:' .. c
    fields[#fields + 1] = 'load:' .. c
  end
  local v = redis.call('HMGET', agent, unpack(fields))
  local out = {}
  for i, f in ipairs(fields) do
    if v[i] then
      out[#out + 1] = f
      out[#out + 1] = v[i]
    end
  end
  return out
end

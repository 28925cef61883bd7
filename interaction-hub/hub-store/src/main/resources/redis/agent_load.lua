-- Prelude of the scripts that answer an agent's load after changing it (finish); RoutingState puts it in front of each
-- of them when it loads them.
-- agent_load(agent hash key, channels): the agent's load and capacity on each of the channels as JSON
-- ({"load": {...}, "capacity": {...}}, a channel without the field left out), read after the script's change in one
-- HMGET, so the caller can tell consoles the load without another round trip to read the hash.
local function agent_load(agent, channels)
  local fields = {}
  for _, c in ipairs(channels) do
    fields[#fields + 1] = 'load:' .. c
    fields[#fields + 1] = 'cap:' .. c
  end
  local load, cap = {}, {}
  if #fields > 0 then
    local v = redis.call('HMGET', agent, unpack(fields))
    for i, c in ipairs(channels) do
      if v[2 * i - 1] then load[c] = tonumber(v[2 * i - 1]) end
      if v[2 * i] then cap[c] = tonumber(v[2 * i]) end
    end
  end
  -- cjson writes an empty table as {} (an object), as wanted here.
  return cjson.encode({load = load, capacity = cap})
end

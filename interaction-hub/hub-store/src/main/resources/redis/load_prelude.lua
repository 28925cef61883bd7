-- Prelude of the scripts that give an agent's capacity back (release, finish, transfer); RoutingState puts it in
-- front of each of them when it loads them.
-- release_load(agent hash key, channel): one off the channel's load, off load_total and, for a channel the agent
-- takes exclusively, off load_excl (none below 0). Returns what load_total is now.
local function release_load(agent, channel)
  local function down(field)
    local n = redis.call('HINCRBY', agent, field, -1)
    if n < 0 then redis.call('HSET', agent, field, 0); return 0 end
    return n
  end
  down('load:' .. channel)
  local total = down('load_total')
  if string.find(redis.call('HGET', agent, 'excl') or '', ',' .. channel .. ',', 1, true) then down('load_excl') end
  return total
end

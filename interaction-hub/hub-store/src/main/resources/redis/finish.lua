-- The agent is done with an accepted interaction: its capacity is free again; when the agent has no work
-- left, its idle time starts now (longest-idle ordering).
-- KEYS: 1 agent hash, 2 agent assigned set
-- ARGV: 1 interaction id, 2 channel, 3 now ms
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 'not-assigned' end
local function down(field)
  local n = redis.call('HINCRBY', KEYS[1], field, -1)
  if n < 0 then redis.call('HSET', KEYS[1], field, 0); return 0 end
  return n
end
down('load:' .. ARGV[2])
local total = down('load_total')
if string.find(redis.call('HGET', KEYS[1], 'excl') or '', ',' .. ARGV[2] .. ',', 1, true) then down('load_excl') end
if total == 0 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
return 'ok'

-- An assigned interaction is transferred: it leaves the agent (its capacity is free, exactly as when it is
-- finished, but nothing ends) and waits again under its new classification, in its old place in time.
-- Safe to run again: once the interaction has left the agent's assigned set nothing is counted twice.
-- KEYS: 1 agent hash, 2 agent assigned set, 3 waiting zset, 4 waiting item
-- ARGV: 1 interaction id, 2 channel, 3 now ms, 4 waiting item JSON, 5 waiting-since ms
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
redis.call('SET', KEYS[4], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 'ok'

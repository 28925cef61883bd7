-- Sets an agent's routing state. Becoming available (from any other state) starts the agent's idle time now: a break,
-- after-call work or offline time never counts as idle.
-- KEYS: 1 agent hash
-- ARGV: 1 state, 2 reason ('' for none), 3 since ms
local prev = redis.call('HGET', KEYS[1], 'state')
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'reason', ARGV[2], 'since', ARGV[3])
if ARGV[1] == 'available' and prev ~= 'available' then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
return 'ok'

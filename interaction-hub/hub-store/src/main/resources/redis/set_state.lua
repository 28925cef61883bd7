-- Sets an agent's routing state. Becoming available (from any other state) starts the agent's idle time now: a break,
-- after-call work or offline time never counts as idle.
-- (note_agent is in agent_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 agent hash, 2 agent change counter, 3 agent change log
-- ARGV: 1 state, 2 reason ('' for none), 3 since ms, 4 agent id
local prev = redis.call('HGET', KEYS[1], 'state')
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'reason', ARGV[2], 'since', ARGV[3])
if ARGV[1] == 'available' and prev ~= 'available' then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
note_agent(KEYS[2], KEYS[3], ARGV[4])
return 'ok'

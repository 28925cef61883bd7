-- Writes an agent's profile and state (a profile sync, a rebuild, a repair) and lists the agent among routing's agents.
-- (note_agent is in agent_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 agent hash, 2 agents set, 3 agent change counter, 4 agent change log
-- ARGV: 1 agent id, then field, value, field, value...
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
redis.call('SADD', KEYS[2], ARGV[1])
note_agent(KEYS[3], KEYS[4], ARGV[1])
return 'ok'

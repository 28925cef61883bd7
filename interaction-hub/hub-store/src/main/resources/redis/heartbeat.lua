-- A console's heartbeat in one round trip: the presence key lives for ARGV[1] ms, and the agent is marked present (a
-- console that becomes present starts the agent's idle time now, as present.lua). The presence key is written even for
-- an agent routing does not know yet (its hash is made by the profile sync); the hash never half-filled.
-- (note_agent is in agent_log.lua, put in front of this script when it is loaded; only a change is noted, not every beat.)
-- KEYS: 1 agent hash, 2 presence key, 3 agent change counter, 4 agent change log
-- ARGV: 1 presence ttl ms, 2 now ms, 3 agent id
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
-- Already present (nearly every beat): two commands in all. Only a beat that finds no flag asks whether the agent exists.
local prev = redis.call('HGET', KEYS[1], 'present')
if prev == '1' then return 'ok' end
if redis.call('EXISTS', KEYS[1]) == 0 then return 'no-agent' end
redis.call('HSET', KEYS[1], 'present', '1', 'idleSince', ARGV[2])
note_agent(KEYS[3], KEYS[4], ARGV[3])
return 'ok'

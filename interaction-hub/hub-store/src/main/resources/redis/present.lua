-- Marks an agent's console present or gone. A console that becomes present (a login, a reconnect) starts the agent's
-- idle time now. Only for agents routing knows (never creates a half-filled agent hash).
-- (note_agent is in agent_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 agent hash, 2 agent change counter, 3 agent change log
-- ARGV: 1 '1' present / '0' gone, 2 now ms, 3 agent id
if redis.call('EXISTS', KEYS[1]) == 0 then return 'no-agent' end
local prev = redis.call('HGET', KEYS[1], 'present')
redis.call('HSET', KEYS[1], 'present', ARGV[1])
if ARGV[1] == '1' and prev ~= '1' then redis.call('HSET', KEYS[1], 'idleSince', ARGV[2]) end
if prev ~= ARGV[1] then note_agent(KEYS[2], KEYS[3], ARGV[3]) end
return 'ok'

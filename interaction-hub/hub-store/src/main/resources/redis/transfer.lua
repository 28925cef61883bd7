-- An assigned interaction is transferred: it leaves the agent (its capacity is free, exactly as when it is
-- finished, but nothing ends) and waits again under its new classification, in its old place in time.
-- Safe to run again: once the interaction has left the agent's assigned set nothing is counted twice.
-- (release_load is in load_prelude.lua, put in front of this script when it is loaded.)
-- (note_waiting is in waiting_log.lua and note_agent in agent_log.lua, also put in front.)
-- KEYS: 1 agent hash, 2 agent assigned set, 3 waiting zset, 4 waiting item, 5 waiting change counter, 6 waiting change log,
--       7 agent change counter, 8 agent change log
-- ARGV: 1 interaction id, 2 channel, 3 now ms, 4 waiting item JSON, 5 waiting-since ms, 6 agent id
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 'not-assigned' end
local total = release_load(KEYS[1], ARGV[2])
if total == 0 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
redis.call('SET', KEYS[4], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
note_waiting(KEYS[5], KEYS[6], ARGV[1])
note_agent(KEYS[7], KEYS[8], ARGV[6])
return 'ok'

-- The agent is done with an accepted interaction: its capacity is free again; when the agent has no work
-- left, its idle time starts now (longest-idle ordering).
-- (release_load is in load_prelude.lua, note_agent in agent_log.lua and agent_load in agent_load.lua, put in front of
-- this script when it is loaded.)
-- KEYS: 1 agent hash, 2 agent assigned set, 3 agent change counter, 4 agent change log
-- ARGV: 1 interaction id, 2 channel, 3 now ms, 4 agent id, 5 '1' to answer the agent's load after it instead of 'ok',
--       6... the channels whose load and capacity to answer
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 'not-assigned' end
local total = release_load(KEYS[1], ARGV[2])
if total == 0 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
note_agent(KEYS[3], KEYS[4], ARGV[4])
if ARGV[5] == '1' then return agent_load(KEYS[1], {unpack(ARGV, 6)}) end
return 'ok'

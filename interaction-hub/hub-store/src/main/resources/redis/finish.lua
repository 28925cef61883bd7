-- The agent is done with an accepted interaction: its capacity is free again; when the agent has no work
-- left, its idle time starts now (longest-idle ordering).
-- (release_load is in load_prelude.lua, note_agent in agent_log.lua and agent_fields in agent_load.lua, put in front of
-- this script when it is loaded.)
-- With ARGV[5] '1' it answers what it left instead of 'ok', so the node that finished reads none of it back (issue
-- #12): the number of its change to the agents, the epoch of live state ('' when none) and the agent's hash after it
-- (load and capacity included), as JSON {"aseq", "epoch", "agent": [field, value, ...]}.
-- KEYS: 1 agent hash, 2 agent assigned set, 3 agent change counter, 4 agent change log, 5 epoch
-- ARGV: 1 interaction id, 2 channel, 3 now ms, 4 agent id, 5 '1' to answer what it left instead of 'ok', 6... the
--       channels whose capacity and load to answer
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 'not-assigned' end
local total = release_load(KEYS[1], ARGV[2])
if total == 0 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[3]) end
local aseq = note_agent(KEYS[3], KEYS[4], ARGV[4])
if ARGV[5] == '1' then
  return cjson.encode({aseq = aseq, epoch = redis.call('GET', KEYS[5]) or '', agent = agent_fields(KEYS[1], {unpack(ARGV, 6)})})
end
return 'ok'

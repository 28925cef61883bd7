-- Reserve an agent for one waiting interaction, atomically: never over capacity, never two live offers
-- for one interaction, never an exclusive channel shared. Every hub node runs the same script, so two
-- nodes matching at once cannot both win.
-- The agent hash keeps running totals (load_total, load_excl) so this reads a handful of fields, no scan.
-- (note_waiting is in waiting_log.lua, put in front of this script when it is loaded.)
-- (note_agent is in agent_log.lua, also put in front.)
-- On success it answers what it left, so the node that reserved reads none of it back (issue #12): the numbers of its
-- changes to the waiting interactions and to the agents, the epoch of live state ('' when none) and the agent's hash
-- after the reservation (its load included; agent_fields is in agent_load.lua, also put in front), as JSON {"wseq",
-- "aseq", "epoch", "agent": [field, value, ...]}.
-- KEYS: 1 waiting zset, 2 waiting item, 3 agent hash, 4 offer hash, 5 offer expiry zset, 6 agent offers set,
--       7 waiting change counter, 8 waiting change log, 9 agent change counter, 10 agent change log, 11 epoch
-- ARGV: 1 interaction id, 2 agent id, 3 channel, 4 offered-at ms, 5 expires-at ms, 6... the channels whose capacity and
--       load to answer
if redis.call('EXISTS', KEYS[4]) == 1 then return 'already-offered' end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 'not-waiting' end
local a = redis.call('HMGET', KEYS[3], 'state', 'present', 'excl', 'cap:' .. ARGV[3], 'load:' .. ARGV[3], 'load_total', 'load_excl')
if a[1] ~= 'available' then return 'agent-not-available' end
if a[2] ~= '1' then return 'agent-not-present' end
local cap = tonumber(a[4]) or 0
local load = tonumber(a[5]) or 0
if load >= cap then return 'agent-at-capacity' end
local total = tonumber(a[6]) or 0
local onExclusive = tonumber(a[7]) or 0
local exclusive = string.find(a[3] or '', ',' .. ARGV[3] .. ',', 1, true) ~= nil
if onExclusive > 0 then return 'agent-on-exclusive-work' end
if exclusive and total > 0 then return 'exclusive-needs-free-agent' end
redis.call('HINCRBY', KEYS[3], 'load:' .. ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], 'load_total', 1)
if exclusive then redis.call('HINCRBY', KEYS[3], 'load_excl', 1) end
redis.call('ZREM', KEYS[1], ARGV[1])
local wseq = note_waiting(KEYS[7], KEYS[8], ARGV[1])
redis.call('HSET', KEYS[4], 'agent', ARGV[2], 'channel', ARGV[3], 'offeredAt', ARGV[4], 'expiresAt', ARGV[5])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1])
redis.call('SADD', KEYS[6], ARGV[1])
local aseq = note_agent(KEYS[9], KEYS[10], ARGV[2])
return cjson.encode({wseq = wseq, aseq = aseq, epoch = redis.call('GET', KEYS[11]) or '', agent = agent_fields(KEYS[3], {unpack(ARGV, 6)})})

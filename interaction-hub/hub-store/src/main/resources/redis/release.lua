-- An offer ends without acceptance (declined, timed out, console gone): the agent's capacity is given
-- back and the interaction waits again, in its old place (its waiting-since score), excluding that agent.
-- (release_load is in load_prelude.lua, put in front of this script when it is loaded.)
-- (note_waiting is in waiting_log.lua and note_agent in agent_log.lua, also put in front.)
-- KEYS: 1 offer hash, 2 offer expiry zset, 3 agent offers set, 4 agent hash, 5 waiting zset, 6 waiting item,
--       7 waiting change counter, 8 waiting change log, 9 agent change counter, 10 agent change log
-- ARGV: 1 interaction id, 2 agent id (the holder), 3 waiting-since ms, 4 now ms, 5 pause agent ('1'/'0'),
--       6 pause reason, 7 '0' to not exclude the agent (a supervisor moved it; absent = exclude)
local holder = redis.call('HGET', KEYS[1], 'agent')
if not holder then return 'no-offer' end
if holder ~= ARGV[2] then return 'not-your-offer' end
local channel = redis.call('HGET', KEYS[1], 'channel')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
release_load(KEYS[4], channel)
local item = redis.call('GET', KEYS[6])
if item then
  local w = cjson.decode(item)
  local excluded = w['excluded'] or {}
  if ARGV[7] ~= '0' then table.insert(excluded, holder) end
  w['excluded'] = excluded
  redis.call('SET', KEYS[6], cjson.encode(w))
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
  note_waiting(KEYS[7], KEYS[8], ARGV[1])
end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[4], 'state', 'break', 'reason', ARGV[6], 'since', ARGV[4])
end
note_agent(KEYS[9], KEYS[10], holder)
return holder

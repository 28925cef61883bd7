-- The reconciler corrects an agent's load, assigned set and offers set to what PostgreSQL records, but only if
-- they are still what it observed (compare-and-set): a reservation, accept or finish that ran meanwhile wins, and the
-- next round looks again.
-- (note_agent is in agent_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 agent hash, 2 agent assigned set, 3 agent offers set, 4 agent change counter, 5 agent change log
-- ARGV: 1 observed load signature ("chat=1;email=2;", channels sorted, zero loads left out),
--       2 new load JSON {channel: n}, 3 new assigned ids JSON [..], 4 new offered ids JSON [..], 5 agent id
local h = redis.call('HGETALL', KEYS[1])
local loads = {}
local names = {}
for i = 1, #h, 2 do
  local f = h[i]
  if string.sub(f, 1, 5) == 'load:' then
    local n = tonumber(h[i + 1]) or 0
    if n ~= 0 then
      local ch = string.sub(f, 6)
      loads[ch] = n
      table.insert(names, ch)
    end
  end
end
table.sort(names)
local sig = ''
for _, ch in ipairs(names) do sig = sig .. ch .. '=' .. loads[ch] .. ';' end
if sig ~= ARGV[1] then return 'changed' end
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 5) == 'load:' then redis.call('HDEL', KEYS[1], h[i]) end
end
local excl = redis.call('HGET', KEYS[1], 'excl') or ''
local total = 0
local onExcl = 0
for ch, n in pairs(cjson.decode(ARGV[2])) do
  redis.call('HSET', KEYS[1], 'load:' .. ch, n)
  total = total + n
  if string.find(excl, ',' .. ch .. ',', 1, true) then onExcl = onExcl + n end
end
redis.call('HSET', KEYS[1], 'load_total', total, 'load_excl', onExcl)
redis.call('DEL', KEYS[2])
for _, id in ipairs(cjson.decode(ARGV[3])) do redis.call('SADD', KEYS[2], id) end
redis.call('DEL', KEYS[3])
for _, id in ipairs(cjson.decode(ARGV[4])) do redis.call('SADD', KEYS[3], id) end
note_agent(KEYS[4], KEYS[5], ARGV[5])
return 'ok'

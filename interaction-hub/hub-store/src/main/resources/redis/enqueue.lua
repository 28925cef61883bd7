-- An interaction waits (again): its item is written and it takes its place in the waiting set.
-- Every 1,000 changes the change log forgets entries more than 100,000 changes old and records that floor; a node
-- that last looked before the floor reads the waiting set whole once.
-- (note_waiting is in waiting_log.lua, put in front of this script when it is loaded.)
-- Answers the number of its change and the epoch of live state ('' when none), as "<number> <epoch>", so the node that
-- queued it need not read the item back (issue #12).
-- KEYS: 1 waiting zset, 2 waiting item, 3 change counter, 4 change log, 5 change log floor, 6 epoch
-- ARGV: 1 interaction id, 2 item JSON, 3 waiting-since ms
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
local n = note_waiting(KEYS[3], KEYS[4], ARGV[1])
if n % 1000 == 0 and n > 100000 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', n - 100000)
  redis.call('SET', KEYS[5], n - 100000)
end
return n .. ' ' .. (redis.call('GET', KEYS[6]) or '')

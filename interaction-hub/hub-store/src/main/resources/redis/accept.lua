-- The agent accepts its offer: the offer ends, the reserved capacity stays with the agent.
-- KEYS: 1 offer hash, 2 offer expiry zset, 3 agent offers set, 4 agent assigned set, 5 waiting item
-- ARGV: 1 interaction id, 2 agent id
local holder = redis.call('HGET', KEYS[1], 'agent')
if not holder then return 'no-offer' end
if holder ~= ARGV[2] then return 'not-your-offer' end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[5])
return 'ok'

-- A matching pass's lease, taken for ARGV[1] (token) for ARGV[2] ms unless another holds it, answering in the same
-- round trip where the change logs stand (issue #12: the pass read them right after, one MGET each): '' when the lease
-- is held by another, otherwise JSON [agent change counter, waiting change counter, waiting log floor, epoch], each a
-- string or false when absent.
-- KEYS: 1 lease, 2 agent change counter, 3 waiting change counter, 4 waiting log floor, 5 epoch
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return '' end
return cjson.encode(redis.call('MGET', KEYS[2], KEYS[3], KEYS[4], KEYS[5]))

-- Prelude of the scripts that change the waiting set or a waiting item (enqueue, dequeue, unlist, reserve, release,
-- transfer, reclassify); RoutingState puts it in front of each of them when it loads them.
-- note_waiting(seq key, log key, interaction id): counts one change of the waiting interactions and notes the
-- interaction in the change log (a sorted set: id -> the number of its last change), so each node's in-memory index
-- reads only what changed since it last looked (hub-core WaitingIndex), never the whole waiting set.
local function note_waiting(seq, log, id)
  local n = redis.call('INCR', seq)
  redis.call('ZADD', log, n, id)
  return n
end

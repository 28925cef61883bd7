-- A waiting (or offered) interaction is moved to another queue: its classification (and transfer target) is
-- replaced, its exclusions and sticky agent are kept. An offer in progress is ended separately (release.lua).
-- (note_waiting is in waiting_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 waiting item, 2 waiting change counter, 3 waiting change log
-- ARGV: 1 classification JSON, 2 interaction id
local item = redis.call('GET', KEYS[1])
if not item then return 'not-waiting' end
local w = cjson.decode(item)
w['classification'] = cjson.decode(ARGV[1])
w['targetAgent'] = nil
w['targetUntil'] = nil
redis.call('SET', KEYS[1], cjson.encode(w))
note_waiting(KEYS[2], KEYS[3], ARGV[2])
return 'ok'

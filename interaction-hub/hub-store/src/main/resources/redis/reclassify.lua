-- A waiting (or offered) interaction is moved to another queue: its classification (and transfer target) is
-- replaced, its exclusions and sticky agent are kept. An offer in progress is ended separately (release.lua).
-- KEYS: 1 waiting item
-- ARGV: 1 classification JSON
local item = redis.call('GET', KEYS[1])
if not item then return 'not-waiting' end
local w = cjson.decode(item)
w['classification'] = cjson.decode(ARGV[1])
w['targetAgent'] = nil
w['targetUntil'] = nil
redis.call('SET', KEYS[1], cjson.encode(w))
return 'ok'

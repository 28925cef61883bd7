-- An interaction stops waiting: with ARGV[2] '1' its item goes too (abandoned, moved, ended); with '0' the item is
-- kept (an offer of it exists).
-- (note_waiting is in waiting_log.lua, put in front of this script when it is loaded.)
-- KEYS: 1 waiting zset, 2 waiting item, 3 change counter, 4 change log
-- ARGV: 1 interaction id, 2 '1' to delete the item
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
note_waiting(KEYS[3], KEYS[4], ARGV[1])
return 'ok'

-- Gives a buyer their place in an event's waiting room: the same place again when they join again (a
-- refresh, a reconnection, another API process), otherwise the next position, in arrival order.
-- KEYS: 1 room hash, 2 buyers hash (same hash tag). ARGV: 1 buyer id.
-- Returns {0} when the event has no room, else {1, position, joined} (joined: positions issued so far).
local room = redis.call('HMGET', KEYS[1], 'rate', 'base', 'since', 'joined')
if not room[1] then return {0} end
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then return {1, tonumber(known), tonumber(room[4])} end

local rate, base, since, joined = tonumber(room[1]), tonumber(room[2]), tonumber(room[3]), tonumber(room[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A rate that has run ahead of the queue (nobody joined for a while) counts again from now: idle time is
-- not banked, so a burst after a lull is admitted at the configured rate, not all at once.
if base + math.floor(math.max(0, now - since) * rate / 1000) > joined then
  redis.call('HSET', KEYS[1], 'base', joined, 'since', now)
end
local position = redis.call('HINCRBY', KEYS[1], 'joined', 1)
redis.call('HSET', KEYS[2], ARGV[1], position)
return {1, position, position}

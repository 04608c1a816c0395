-- Sets (or changes) the admission rate of an event's waiting room, on the Redis clock: whoever the old
-- rate admitted stays admitted and the new rate counts from now. A rate of 0 removes the room and its
-- queue (admission is then not required). KEYS: 1 room hash, 2 buyers hash. ARGV: 1 rate (buyers/s).
-- Returns the room as {rate, base, since, joined}, or {} once removed.
local rate = tonumber(ARGV[1])
if rate == 0 then
  redis.call('UNLINK', KEYS[1], KEYS[2])
  return {}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local room = redis.call('HMGET', KEYS[1], 'rate', 'base', 'since', 'joined')
local base, joined = 0, 0
if room[1] then
  local old, oldBase, oldSince = tonumber(room[1]), tonumber(room[2]), tonumber(room[3])
  joined = tonumber(room[4])
  base = math.min(joined, oldBase + math.floor(math.max(0, now - oldSince) * old / 1000))
end
redis.call('HSET', KEYS[1], 'rate', rate, 'base', base, 'since', now, 'joined', joined)
return {rate, base, now, joined}

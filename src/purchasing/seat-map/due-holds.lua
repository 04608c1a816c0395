-- The holds of one partition whose expiresAt has come, by the Redis clock: the clock hold-seats.lua set the
-- expiry with and confirm-hold.lua checks it against, so the sweeper never frees a hold a confirm could still
-- take, whatever the API process's own clock says.
-- KEYS: 1 the partition's expiry index
-- ARGV: 1 most ids to return
-- Returns the due hold ids, oldest expiry first.
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', nowMs), 'LIMIT', 0, tonumber(ARGV[1]))

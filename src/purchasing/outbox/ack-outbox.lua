-- Acknowledges relayed entries and deletes them in one step: a relay stopped between the two would leave
-- entries that no consumer reads again (acknowledged) yet count in the backlog forever (not deleted).
-- KEYS: 1 outbox stream. ARGV: 1 consumer group, 2.. entry ids. Returns how many were deleted.
local ids = {unpack(ARGV, 2)}
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
return redis.call('XDEL', KEYS[1], unpack(ids))

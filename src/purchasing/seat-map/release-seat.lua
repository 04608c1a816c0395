-- Gives a seat back (compensation). Releasing a free seat changes nothing, so counters never drift.
-- KEYS: 1 counts hash, 2 seat bitmap
-- ARGV: 1 row index (0-based), 2 column (1-based), 3 row field
-- Returns 1 when the seat was taken and is now free, 0 otherwise (free already, not open, outside grid).
local counts = redis.call('HMGET', KEYS[1], 'cols', ARGV[3])
if not counts[1] or not counts[2] then return 0 end
local cols = tonumber(counts[1])
local column = tonumber(ARGV[2])
if column < 1 or column > cols then return 0 end
local bit = tonumber(ARGV[1]) * cols + column - 1
if redis.call('GETBIT', KEYS[2], bit) == 0 then return 0 end
redis.call('SETBIT', KEYS[2], bit, 0)
redis.call('HINCRBY', KEYS[1], 'zone', 1)
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
return 1

-- Opens a zone's seat map for sale: every seat free, counters full. Idempotent: an open zone is left
-- untouched, so re-opening never resets a sale in progress.
-- KEYS: 1 counts hash, 2 seat bitmap
-- ARGV: 1 rows, 2 columns
-- Returns 1 when opened now, 0 when it was open already.
-- `gen` names this incarnation of the map: a hold records it, and a map rebuilt after a loss gets another
-- (rebuild-zone.lua), so a hold taken on the lost map is recognised as lost. The Redis clock in microseconds
-- is unique per zone: a zone is opened, or rebuilt, only while its counts hash is missing.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local rows = tonumber(ARGV[1])
local cols = tonumber(ARGV[2])
redis.call('DEL', KEYS[2])
local now = redis.call('TIME')
local fields = {'zone', rows * cols, 'rows', rows, 'cols', cols, 'gen', 'o' .. now[1] .. string.format('%06d', tonumber(now[2]))}
for r = 0, rows - 1 do
  fields[#fields + 1] = 'r:' .. string.char(65 + r)
  fields[#fields + 1] = cols
end
redis.call('HSET', KEYS[1], unpack(fields))
return 1

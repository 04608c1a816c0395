-- Rebuilds a zone's seat map from the event store's live tickets (after Redis lost it): every seat free,
-- counters full, then each listed seat taken. Only a MISSING zone is rebuilt: while its counts hash is
-- absent the reservation script answers "not open" and takes no seat, so nothing this script writes can
-- overwrite a reservation. A zone that exists (reopened, or rebuilt by another process) is left untouched,
-- which also makes running it twice safe. One atomic call per zone.
-- KEYS: 1 counts hash, 2 seat bitmap
-- ARGV: 1 rows, 2 columns, then pairs (row index 0-based, column 1-based) of the taken seats
-- Returns {1, seats taken} when rebuilt now, {0, seats taken in the existing map} when it existed.
-- The rebuilt map gets a new `gen` (see open-zone.lua): the held seats are free in it, so a hold record that
-- survived the loss no longer owns them. confirm-hold.lua refuses such a hold (HOLD_LOST) and
-- release-hold.lua deletes it without clearing bits that may since belong to someone else.
local rows = tonumber(ARGV[1])
local cols = tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  local left = tonumber(redis.call('HGET', KEYS[1], 'zone') or rows * cols)
  return {0, rows * cols - left}
end
redis.call('DEL', KEYS[2])
local rowLeft = {}
for r = 0, rows - 1 do rowLeft[r] = cols end
local taken = 0
for i = 3, #ARGV, 2 do
  local r = tonumber(ARGV[i])
  local c = tonumber(ARGV[i + 1])
  if r >= 0 and r < rows and c >= 1 and c <= cols then
    if redis.call('SETBIT', KEYS[2], r * cols + c - 1, 1) == 0 then
      rowLeft[r] = rowLeft[r] - 1
      taken = taken + 1
    end
  end
end
local now = redis.call('TIME')
local fields = {'zone', rows * cols - taken, 'rows', rows, 'cols', cols,
  'gen', 'r' .. now[1] .. string.format('%06d', tonumber(now[2]))}
for r = 0, rows - 1 do
  fields[#fields + 1] = 'r:' .. string.char(65 + r)
  fields[#fields + 1] = rowLeft[r]
end
redis.call('HSET', KEYS[1], unpack(fields))
return {1, taken}

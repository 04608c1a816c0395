-- Rebuilds a zone's seat map from the event store's live tickets (after Redis lost its data): every seat
-- free, counters full, then each listed seat taken. One atomic call per zone, and the same input always
-- gives the same map, so running it twice is safe.
-- KEYS: 1 counts hash, 2 seat bitmap
-- ARGV: 1 rows, 2 columns, then pairs (row index 0-based, column 1-based) of the taken seats
-- Returns the number of seats taken.
local rows = tonumber(ARGV[1])
local cols = tonumber(ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2])
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
local fields = {'zone', rows * cols - taken, 'rows', rows, 'cols', cols}
for r = 0, rows - 1 do
  fields[#fields + 1] = 'r:' .. string.char(65 + r)
  fields[#fields + 1] = rowLeft[r]
end
redis.call('HSET', KEYS[1], unpack(fields))
return taken

-- Holds several seats of one zone for one buyer, all or none: every check runs before the first write, so
-- a refused hold leaves the zone exactly as it was. Seats are either listed, or chosen by the platform
-- ("best available", the rule documented in best-available.ts, which this script must match seat for seat).
-- The hold record and its expiry index entry are written in the same call, so seats are never held without
-- a record saying whose they are and when they go back. The record keeps the map's `gen` (open-zone.lua):
-- seats held on a map that was since lost and rebuilt are not the hold's any more.
-- KEYS: 1 counts hash, 2 seat bitmap, 3 hold record, 4 the partition's expiry index (one hash tag)
-- ARGV: 1 hold id, 2 buyer id, 3 event id, 4 zone id, 5 hold length in ms,
--       6 not after (ms, Redis clock; 0 = no deadline): the buyer's quota claim lapses then (buyer-quota.keys.ts),
--       7 'seats' then pairs (row index 0-based, column 1-based), or 'best' then 8 quantity
-- Returns {0, expiresAt ms, row, column, ...} held; {1, row, column} that seat is taken;
--         {2, row, column} that seat's row is sold out; {3} zone sold out; {4} not open (no seat map, or a
--         seat outside the grid); {5, expiresAt ms, row, column, ...} the hold id exists: its seats, nothing
--         written; {6} not enough adjacent free seats; {7, row, column} a seat listed twice;
--         {8} past the not-after deadline: nothing written
local record = KEYS[3]
if redis.call('EXISTS', record) == 1 then
  local held = redis.call('HMGET', record, 'expiresAt', 'seats')
  local reply = {5, tonumber(held[1])}
  for token in string.gmatch(held[2], '[^,]+') do
    reply[#reply + 1] = string.byte(token, 1) - 65
    reply[#reply + 1] = tonumber(string.sub(token, 2))
  end
  return reply
end

-- A claim on the buyer's quota that lapsed may already be dropped from the buyer's ledger by a later claim:
-- seats taken for it now would count nowhere. Checked before any write (a replay above writes nothing).
local notAfter = tonumber(ARGV[6])
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if notAfter and notAfter > 0 and nowMs > notAfter then return {8} end

local counts = redis.call('HMGET', KEYS[1], 'zone', 'rows', 'cols', 'gen')
if not counts[1] or not counts[2] or not counts[3] then return {4} end
local zoneLeft = tonumber(counts[1])
local rows = tonumber(counts[2])
local cols = tonumber(counts[3])

local function rowField(r) return 'r:' .. string.char(65 + r) end

-- The chosen seats as {row, column} pairs, decided below without writing anything.
local chosen = {}

if ARGV[7] == 'seats' then
  if #ARGV < 9 or #ARGV % 2 ~= 1 then return redis.error_reply('hold-seats: seats must be row, column pairs') end
  local seen = {}
  for i = 8, #ARGV, 2 do
    local r = tonumber(ARGV[i])
    local c = tonumber(ARGV[i + 1])
    if not r or not c then return redis.error_reply('hold-seats: seats must be numbers') end
    if r < 0 or r >= rows or c < 1 or c > cols then return {4} end
    local bit = r * cols + c - 1
    if seen[bit] then return {7, r, c} end
    seen[bit] = true
    chosen[#chosen + 1] = {r, c}
  end
  -- Sold-out answers first, as in reserve-seat.lua: the counters make them O(1) and they tell the buyer more.
  if zoneLeft <= 0 then return {3} end
  for _, seat in ipairs(chosen) do
    if tonumber(redis.call('HGET', KEYS[1], rowField(seat[1])) or 0) <= 0 then return {2, seat[1], seat[2]} end
    if redis.call('GETBIT', KEYS[2], seat[1] * cols + seat[2] - 1) == 1 then return {1, seat[1], seat[2]} end
  end
elseif ARGV[7] == 'best' then
  local quantity = tonumber(ARGV[8])
  if not quantity or quantity < 1 then return redis.error_reply('hold-seats: quantity must be >= 1') end
  if zoneLeft <= 0 then return {3} end
  if quantity > cols or quantity > zoneLeft then return {6} end
  -- One GET of the whole map (at most 26 x 1000 bits, 3.25 KB) instead of a GETBIT per seat. The scan below
  -- is the script's cost: it tests bits with arithmetic rather than C calls, skips whole free or taken bytes,
  -- and evaluates each free run in O(1), because Redis serves nothing else while it runs.
  local map = redis.call('GET', KEYS[2]) or ''
  local fields = {}
  for r = 0, rows - 1 do fields[#fields + 1] = rowField(r) end
  local rowLeft = redis.call('HMGET', KEYS[1], unpack(fields))
  -- 2 x distance from the row's centre of a block starting at s: |2s + q - cols - 2|, nearest at s = target.
  local target = (cols + 2 - quantity) / 2
  local cleanStart, cleanDistance, anyStart, anyDistance
  local function better(s, distance, bestStart, bestDistance)
    return not bestDistance or distance < bestDistance or (distance == bestDistance and s < bestStart)
  end
  -- A maximal free run a..b: the seats beyond it are taken or off the row, so a block starting at s strands
  -- a seat exactly when s == a + 1 or s == hi - 1 (hi = b - q + 1, the last start). The nearest allowed
  -- start to the target is within two of it, or an end of the run: those few candidates are enough.
  local function considerRun(a, b)
    local hi = b - quantity + 1
    if hi < a then return end
    local low = math.floor(target)
    local candidates = {a, hi, low - 2, low - 1, low, low + 1, low + 2, low + 3}
    for _, s in ipairs(candidates) do
      if s >= a and s <= hi then
        local distance = math.abs(2 * s + quantity - cols - 2)
        if better(s, distance, anyStart, anyDistance) then anyStart, anyDistance = s, distance end
        if s ~= a + 1 and s ~= hi - 1 and better(s, distance, cleanStart, cleanDistance) then
          cleanStart, cleanDistance = s, distance
        end
      end
    end
  end
  local pickRow, pickStart
  local fallbackRow, fallbackStart
  for r = 0, rows - 1 do
    -- A row with fewer free seats than asked for has no block: skip it without reading its bits.
    if tonumber(rowLeft[r + 1] or 0) >= quantity then
      cleanStart, cleanDistance, anyStart, anyDistance = nil, nil, nil, nil
      local index = r * cols
      local byteAt = math.floor(index / 8) + 1
      local mask = 2 ^ (7 - index % 8)
      local byte = string.byte(map, byteAt) or 0
      local runStart
      local c = 1
      while c <= cols do
        if mask == 128 and c + 7 <= cols and (byte == 0 or byte == 255) then
          if byte == 0 then
            runStart = runStart or c
          elseif runStart then
            considerRun(runStart, c - 1)
            runStart = nil
          end
          c = c + 8
          byteAt = byteAt + 1
          byte = string.byte(map, byteAt) or 0
        else
          if byte % (mask * 2) >= mask then
            if runStart then
              considerRun(runStart, c - 1)
              runStart = nil
            end
          else
            runStart = runStart or c
          end
          c = c + 1
          if mask == 1 then
            mask = 128
            byteAt = byteAt + 1
            byte = string.byte(map, byteAt) or 0
          else
            mask = mask / 2
          end
        end
      end
      if runStart then considerRun(runStart, cols) end
      if cleanStart then
        pickRow, pickStart = r, cleanStart
        break
      end
      if anyStart and not fallbackRow then fallbackRow, fallbackStart = r, anyStart end
    end
  end
  if not pickRow then pickRow, pickStart = fallbackRow, fallbackStart end
  if not pickRow then return {6} end
  for c = pickStart, pickStart + quantity - 1 do chosen[#chosen + 1] = {pickRow, c} end
else
  return redis.error_reply('hold-seats: mode must be seats or best')
end

-- Every check passed: take the seats, then write the hold.
-- The Redis clock, so every API process and the sweeper compare expiries against one clock. Formatted as an
-- integer: Lua would write a number this large in exponent notation.
local expiresAt = string.format('%d', nowMs + tonumber(ARGV[5]))
local reply = {0, tonumber(expiresAt)}
local labels = {}
for _, seat in ipairs(chosen) do
  redis.call('SETBIT', KEYS[2], seat[1] * cols + seat[2] - 1, 1)
  redis.call('HINCRBY', KEYS[1], rowField(seat[1]), -1)
  labels[#labels + 1] = string.char(65 + seat[1]) .. seat[2]
  reply[#reply + 1] = seat[1]
  reply[#reply + 1] = seat[2]
end
redis.call('HINCRBY', KEYS[1], 'zone', -#chosen)
redis.call('HSET', record, 'buyer', ARGV[2], 'eventId', ARGV[3], 'zoneId', ARGV[4],
  'seats', table.concat(labels, ','), 'expiresAt', expiresAt, 'status', 'held', 'gen', counts[4] or '')
redis.call('ZADD', KEYS[4], expiresAt, ARGV[1])
return reply

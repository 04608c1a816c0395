-- Gives a hold's seats back (the buyer cancelled, or the hold expired), atomically: clears the bits, gives
-- the counters back, deletes the record and its expiry index entry. Only a hold still `held` is released:
-- a confirmed one keeps its seats. Releasing twice is a no-op. A seat whose bit is already clear (the zone
-- was rebuilt without it) is not counted back, so the counters never drift above the grid. A hold of an
-- earlier generation of the map (rebuild-zone.lua) frees nothing: the record alone is deleted.
-- KEYS: 1 counts hash, 2 seat bitmap, 3 hold record, 4 the partition's expiry index (one hash tag)
-- ARGV: 1 hold id, 2 event id, 3 zone id (must be the record's: KEYS 1 and 2 are derived from them)
-- Returns {1, seats freed} when released now, {0} when there was no held hold of that id.
local hold = redis.call('HMGET', KEYS[3], 'status', 'seats', 'eventId', 'zoneId', 'gen')
if hold[1] ~= 'held' then return {0} end
if hold[3] ~= ARGV[2] or hold[4] ~= ARGV[3] then
  return redis.error_reply('release-hold: hold ' .. ARGV[1] .. ' is not in zone ' .. ARGV[2] .. '/' .. ARGV[3])
end
local zone = redis.call('HMGET', KEYS[1], 'cols', 'gen')
local cols = tonumber(zone[1] or 0)
local freed = 0
-- A map of another generation (lost and rebuilt since the hold) never had these seats held: their bits, if
-- set, are tickets sold since, and must stay. Only the record and its index entry go.
if cols > 0 and (zone[2] or '') == (hold[5] or '') then
  for token in string.gmatch(hold[2], '[^,]+') do
    local r = string.byte(token, 1) - 65
    local c = tonumber(string.sub(token, 2))
    local bit = r * cols + c - 1
    if redis.call('GETBIT', KEYS[2], bit) == 1 then
      redis.call('SETBIT', KEYS[2], bit, 0)
      redis.call('HINCRBY', KEYS[1], 'r:' .. string.sub(token, 1, 1), 1)
      freed = freed + 1
    end
  end
  if freed > 0 then redis.call('HINCRBY', KEYS[1], 'zone', freed) end
end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
return {1, freed}

-- Turns a hold into tickets, atomically: one TicketReserved per seat appended to the partition's outbox (the
-- same record and stream as reserve-seat.lua), the tickets readable by id at once, and the record marked
-- confirmed, off the expiry index. The seats stay taken: they were taken when the hold was made.
-- Confirm and the expiry sweep (release-hold.lua) are single scripts on one slot reading one clock: a hold is
-- confirmed strictly before its expiresAt and swept at or after it, so exactly one of them wins.
-- KEYS: 1 counts hash, 2 hold record, 3 the partition's expiry index, 4 the partition's outbox stream,
--       5.. one ticket cache entry per seat, in the record's seat order (all under one hash tag)
-- ARGV: 1 hold id, 2 payment reference, 3 ticket cache TTL s, 4 how long the confirmed record is kept (s),
--       5 the record's seats as the caller read them ("A3,A4"), 6.. one TicketReserved payload per seat, same order
-- Returns {0, tickets JSON array} confirmed now; {1, tickets JSON array} confirmed before (the first
--         confirm's tickets, whatever this call brought); {2} expired; {3} no such held hold (unknown, or
--         released); {4} lost: the zone's map was lost and rebuilt since the hold (open-zone.lua's `gen`)
local hold = redis.call('HMGET', KEYS[2], 'status', 'seats', 'expiresAt', 'gen', 'tickets')
if hold[1] == 'confirmed' then return {1, hold[5]} end
if hold[1] ~= 'held' then return {3} end
local gen = redis.call('HGET', KEYS[1], 'gen')
if not redis.call('HGET', KEYS[1], 'cols') or (gen or '') ~= (hold[4] or '') then return {4} end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if nowMs >= tonumber(hold[3]) then return {2} end
local _, commas = string.gsub(hold[2], ',', '')
if hold[2] ~= ARGV[5] or #ARGV - 5 ~= commas + 1 or #KEYS - 4 ~= commas + 1 then
  return redis.error_reply('confirm-hold: the payloads do not match the seats of hold ' .. ARGV[1])
end
local payloads = {}
for i = 6, #ARGV do
  redis.call('XADD', KEYS[4], '*', 'e', ARGV[i])
  -- Read-your-writes, as for a single seat: each ticket can be fetched by id before the read model has it.
  redis.call('SET', KEYS[i - 1], ARGV[i], 'EX', ARGV[3])
  payloads[#payloads + 1] = ARGV[i]
end
local tickets = '[' .. table.concat(payloads, ',') .. ']'
redis.call('HSET', KEYS[2], 'status', 'confirmed', 'tickets', tickets, 'paymentReference', ARGV[2],
  'confirmedAt', string.format('%d', nowMs))
redis.call('ZREM', KEYS[3], ARGV[1])
-- Kept a while, no longer forever: it answers a repeated confirm and GET /holds/:id with the same tickets.
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {0, tickets}

-- Atomic "decide" step of a refund: record the refund once per ticket, give its seat back to the sale, and
-- append the TicketRefunded record to the outbox in the same call, so a freed seat can never exist without
-- its event (and vice versa), and two concurrent refunds of one ticket free its seat once.
-- KEYS: 1 counts hash, 2 seat bitmap, 3 outbox stream, 4 the ticket's refund record, 5 the ticket's cache entry
--       (all under one hash tag)
-- ARGV: 1 row index (0-based), 2 column (1-based), 3 row field, 4 TicketRefunded payload (JSON)
-- Returns {0, freed}: refunded now (freed 1 when the seat was taken, 0 when it was free already);
--         {1, payload}: refunded before, with the first refund's record; {2}: no seat map (Redis lost it).
local previous = redis.call('GET', KEYS[4])
if previous then return {1, previous} end
local cols = redis.call('HGET', KEYS[1], 'cols')
if not cols then return {2} end
cols = tonumber(cols)
local column = tonumber(ARGV[2])
if column < 1 or column > cols then return {2} end
local freed = redis.call('SETBIT', KEYS[2], tonumber(ARGV[1]) * cols + column - 1, 0)
if freed == 1 then
  redis.call('HINCRBY', KEYS[1], 'zone', 1)
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
end
-- No expiry: a second refund of this ticket after its seat was sold again must still be refused.
redis.call('SET', KEYS[4], ARGV[4])
redis.call('XADD', KEYS[3], '*', 'refunded', ARGV[4])
-- A ticket bought moments ago is still answered from its cache entry: it now answers the refund.
redis.call('SET', KEYS[5], ARGV[4], 'XX', 'KEEPTTL')
return {0, freed}

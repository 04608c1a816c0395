-- Atomic "decide" step of a purchase: check the zone, the row and the seat, then take the seat and append
-- the TicketReserved record to the outbox in the same call, so a reservation can never exist without its
-- event (and vice versa).
-- KEYS: 1 counts hash, 2 seat bitmap, 3 outbox stream, 4 idempotency record, 5 the new ticket's cache entry
--       (all under one hash tag)
-- ARGV: 1 row index (0-based), 2 column (1-based), 3 row field, 4 event payload (JSON),
--       5 idempotency: "1" to use KEYS[4], "" otherwise, 6 idempotency TTL seconds, 7 ticket cache TTL seconds
-- Returns {code} or {code, payload}: 0 reserved, 1 seat taken, 2 row sold out, 3 zone sold out,
--         4 not open (no seat map, or the seat is outside the grid), 5 replay of an earlier success
if ARGV[5] == '1' then
  local previous = redis.call('GET', KEYS[4])
  if previous then return {5, previous} end
end
local counts = redis.call('HMGET', KEYS[1], 'zone', ARGV[3], 'cols')
if not counts[1] or not counts[2] then return {4} end
local cols = tonumber(counts[3])
local column = tonumber(ARGV[2])
if column < 1 or column > cols then return {4} end
-- Sold-out checks come first: once a zone or row is gone, that is the more useful answer to a buyer.
if tonumber(counts[1]) <= 0 then return {3} end
if tonumber(counts[2]) <= 0 then return {2} end
local bit = tonumber(ARGV[1]) * cols + column - 1
if redis.call('GETBIT', KEYS[2], bit) == 1 then return {1} end
redis.call('SETBIT', KEYS[2], bit, 1)
redis.call('HINCRBY', KEYS[1], 'zone', -1)
redis.call('HINCRBY', KEYS[1], ARGV[3], -1)
redis.call('XADD', KEYS[3], '*', 'e', ARGV[4])
if ARGV[5] == '1' then redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[6]) end
-- Read-your-writes: the buyer can fetch the ticket by id before the read model has it.
redis.call('SET', KEYS[5], ARGV[4], 'EX', ARGV[7])
return {0}

-- Claims seats of a buyer's per-event limit before any seat is taken. The buyer's claims for the event are
-- all in this one key (one slot), so two claims for the same buyer, whatever zones and shards their seats
-- are on, run one after the other here: the second sees the first.
-- Entries (quota-entry.ts): claim id -> '<seats>|<state>|<untilMs>'; pending and held entries stop counting
-- after untilMs (Redis clock of this slot) and are dropped here then; sold entries count for good.
-- KEYS: 1 the buyer's ledger (buyer-quota.keys.ts)
-- ARGV: 1 claim id, 2 seats, 3 limit, 4 claim window ms (seats must be taken before now + this),
--       5 how long a pending claim counts after that deadline (the longest hold + the grace)
-- Returns {0, notAfter, counted} claimed (or the same claim again: its seats are counted once, the deadline
--         is renewed); {1, counted} refused: counted + seats would pass the limit, nothing claimed
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local claimId = ARGV[1]
local seats = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local notAfter = now + tonumber(ARGV[4])
local keepUntil = notAfter + tonumber(ARGV[5])
if not seats or seats < 1 then return redis.error_reply('claim-quota: seats must be >= 1') end

local counted = 0
local mine
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local n, state, untilMs = string.match(entries[i + 1], '^(%d+)|(%a+)|(%d+)$')
  if not n then return redis.error_reply('claim-quota: bad entry ' .. entries[i]) end
  n = tonumber(n)
  untilMs = tonumber(untilMs)
  if state ~= 'sold' and untilMs < now then
    -- Past its deadline the claim's hold, if any, can no longer be confirmed, and no seat can be taken for
    -- it any more (hold-seats.lua checks notAfter): it holds nothing.
    redis.call('HDEL', KEYS[1], entries[i])
  else
    counted = counted + n
    if entries[i] == claimId then mine = {n, state, untilMs} end
  end
end

-- No TTL while a sold entry exists (it must count as long as the event sells); otherwise the key goes a day
-- after its last deadline, when it counts nothing.
local function keepKey(latest)
  local states = redis.call('HVALS', KEYS[1])
  for _, value in ipairs(states) do
    local state, untilMs = string.match(value, '^%d+|(%a+)|(%d+)$')
    if state == 'sold' then
      redis.call('PERSIST', KEYS[1])
      return
    end
    if tonumber(untilMs) > latest then latest = tonumber(untilMs) end
  end
  if #states > 0 then redis.call('PEXPIREAT', KEYS[1], string.format('%d', latest + 86400000)) end
end

local function entry(n, state, untilMs) return n .. '|' .. state .. '|' .. string.format('%d', untilMs) end

if mine then
  if mine[1] ~= seats then
    return redis.error_reply('claim-quota: claim ' .. claimId .. ' exists for ' .. mine[1] .. ' seats')
  end
  -- A repeat (a retried request) may take its seats anew: the entry counts at least as long as a hold
  -- taken by the new deadline could be confirmed. A sold claim stays sold.
  if mine[2] ~= 'sold' then
    redis.call('HSET', KEYS[1], claimId, entry(seats, mine[2], math.max(mine[3], keepUntil)))
  end
  keepKey(keepUntil)
  return {0, notAfter, counted}
end

if counted + seats > limit then
  keepKey(0)
  return {1, counted}
end
redis.call('HSET', KEYS[1], claimId, entry(seats, 'pending', keepUntil))
keepKey(keepUntil)
return {0, notAfter, counted + seats}

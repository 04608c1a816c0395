-- Moves one claim of a buyer's ledger (claim-quota.lua) along its life. Every transition is idempotent.
-- KEYS: 1 the buyer's ledger
-- ARGV: 1 'held', claim id, seats, until ms (the hold's expiresAt + grace)
--         the hold is taken: counts until then. Written even when the entry is gone (a racing release or a
--         dropped claim): counting more is the safe side. A sold entry stays sold.
--       1 'sold', claim id: counts for good. Returns {0} without an entry (it was released: nothing to sell).
--       1 'release', claim id: deleted, whatever its state.
--       1 'refund', claim id, refund id, seats: that many seats stop counting, once per refund id (a marker
--         'refund:<refund id>' = '0|sold|0' remembers it); the entry goes at 0. {0} when already counted.
-- Returns {1} when the ledger changed, {0} when it did not.
local claimId = ARGV[2]
local function keepKey()
  local latest = 0
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

local current = redis.call('HGET', KEYS[1], claimId)
local n, state
if current then
  n, state = string.match(current, '^(%d+)|(%a+)|%d+$')
  if not n then return redis.error_reply('mark-quota: bad entry ' .. claimId) end
end

local op = ARGV[1]
local changed = 0
if op == 'held' then
  if state ~= 'sold' then
    local value = ARGV[3] .. '|held|' .. ARGV[4]
    if current ~= value then
      redis.call('HSET', KEYS[1], claimId, value)
      changed = 1
    end
  end
elseif op == 'sold' then
  if current and state ~= 'sold' then
    redis.call('HSET', KEYS[1], claimId, n .. '|sold|0')
    changed = 1
  end
elseif op == 'release' then
  changed = redis.call('HDEL', KEYS[1], claimId)
elseif op == 'refund' then
  local marker = 'refund:' .. ARGV[3]
  if current and redis.call('HEXISTS', KEYS[1], marker) == 0 then
    local left = tonumber(n) - tonumber(ARGV[4])
    if left > 0 then
      redis.call('HSET', KEYS[1], claimId, left .. '|' .. state .. '|' .. string.match(current, '(%d+)$'))
    else
      redis.call('HDEL', KEYS[1], claimId)
    end
    redis.call('HSET', KEYS[1], marker, '0|sold|0')
    changed = 1
  end
else
  return redis.error_reply('mark-quota: unknown transition ' .. tostring(op))
end
if changed == 1 then keepKey() end
return {changed}

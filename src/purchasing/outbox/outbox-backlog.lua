-- The backlog of one outbox stream: its length, once entries the group has acknowledged are gone. Those are
-- deleted with their acknowledgement (ack-outbox.lua); a relay of an earlier version acknowledged and deleted
-- in two commands, and one stopped in between left entries nothing would ever delete.
-- An entry is acknowledged when the group was delivered it (id <= last-delivered-id) and it is not pending;
-- entries appended since have higher ids, so nothing unsent is touched.
-- KEYS: 1 outbox stream. ARGV: 1 consumer group. Returns the stream's length.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local lastDelivered
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local fields = {}
  for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
  if fields['name'] == ARGV[1] then lastDelivered = fields['last-delivered-id'] end
end
if lastDelivered == nil then return redis.call('XLEN', KEYS[1]) end
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
if pending[1] > 0 then
  -- Below the oldest pending entry, everything delivered was acknowledged.
  redis.call('XTRIM', KEYS[1], 'MINID', pending[2])
else
  redis.call('XTRIM', KEYS[1], 'MINID', lastDelivered)
  redis.call('XDEL', KEYS[1], lastDelivered)
end
return redis.call('XLEN', KEYS[1])

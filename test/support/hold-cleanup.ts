import type { Redis } from 'ioredis';
import { holdKeys } from '../../src/purchasing/seat-map/hold.keys';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';

/** Removes a test's holds (record and expiry-index entry) and its zone's map, whatever the test left. */
export async function deleteZoneAndHolds(
  redis: Redis,
  eventId: string,
  zoneId: number,
  holdIds: readonly string[],
): Promise<void> {
  for (const holdId of holdIds) {
    const keys = holdKeys(eventId, zoneId, holdId);
    await redis.del(keys.record);
    await redis.zrem(keys.expiryIndex, holdId);
  }
  const keys = zoneKeys(eventId, zoneId);
  await redis.del(keys.counts, keys.seats);
}

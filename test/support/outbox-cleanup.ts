import type { Redis } from 'ioredis';
import { allOutboxKeys } from '../../src/purchasing/seat-map/seat-map.keys';

/**
 * Deletes a test event's records from the outbox streams, for tests that reserve seats without a relay:
 * left behind they would be published by the next relay that runs.
 */
export async function deleteOutboxRecordsOf(redis: Redis, eventId: string): Promise<number> {
  const marker = `"eventId":"${eventId}"`;
  let deleted = 0;
  for (const key of allOutboxKeys()) {
    let start = '-';
    for (;;) {
      const entries = await redis.xrange(key, start, '+', 'COUNT', 2000);
      const ids = entries.filter(([, fields]) => fields[1]?.includes(marker)).map(([id]) => id);
      if (ids.length > 0) deleted += await redis.xdel(key, ...ids);
      if (entries.length < 2000) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
  }
  return deleted;
}

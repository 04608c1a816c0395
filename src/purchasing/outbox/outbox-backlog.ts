import type { RedisClient } from '../../redis/redis.factory';
import { allOutboxKeys } from '../seat-map/seat-map.keys';

/**
 * Entries written but not yet confirmed by the broker, over every partition: one XLEN per stream, since
 * each stream is its own cluster slot (a single Redis gets them in one write through auto-pipelining).
 * An unreadable stream fails the figure rather than silently counting as empty.
 */
export async function outboxBacklog(redis: RedisClient): Promise<number> {
  const lengths = await Promise.all(allOutboxKeys().map((key) => redis.xlen(key)));
  return lengths.reduce((sum, length) => sum + length, 0);
}

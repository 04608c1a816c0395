import type { RedisClient } from '../../platform/redis/redis.factory';
import { allOutboxKeys } from '../seat-map/seat-map.keys';
import { OUTBOX_GROUP, outboxScripts } from './outbox-scripts';

/**
 * Entries written but not yet confirmed by the broker, over every partition: one script call per stream,
 * since each stream is its own cluster slot (a single Redis gets them in one write through auto-pipelining).
 * Each call first deletes entries the group acknowledged but a relay never deleted (outbox-backlog.lua), so
 * the figure, and rebuild:seats which waits for it to reach 0, cannot stay stuck on them.
 * An unreadable stream fails the figure rather than silently counting as empty.
 */
export async function outboxBacklog(redis: RedisClient): Promise<number> {
  const scripts = outboxScripts(redis);
  const lengths = await Promise.all(allOutboxKeys().map((key) => scripts.outboxBacklog(key, OUTBOX_GROUP)));
  return lengths.reduce((sum, length) => sum + length, 0);
}

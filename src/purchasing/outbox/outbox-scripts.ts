import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../../platform/redis/redis.factory';

/** The consumer group every relay reads the outbox streams with. */
export const OUTBOX_GROUP = 'relay';

interface OutboxScripts {
  ackOutbox(stream: string, group: string, ...ids: string[]): Promise<number>;
  outboxBacklog(stream: string, group: string): Promise<number>;
}

const registered = new WeakSet<RedisClient>();

/** The outbox's scripts on a client, registered once per client (ioredis runs them by SHA). */
export function outboxScripts(redis: RedisClient): OutboxScripts {
  if (!registered.has(redis)) {
    const lua = (name: string) => readFileSync(join(__dirname, name), 'utf8');
    redis.defineCommand('ackOutbox', { numberOfKeys: 1, lua: lua('ack-outbox.lua') });
    redis.defineCommand('outboxBacklog', { numberOfKeys: 1, lua: lua('outbox-backlog.lua') });
    registered.add(redis);
  }
  return redis as unknown as OutboxScripts;
}

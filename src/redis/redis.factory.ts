import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

/**
 * The command connection. Offline queueing is off and every command has a deadline, so a purchase made
 * while Redis is unreachable fails at once (503) instead of piling up in memory. Auto-pipelining folds
 * the commands of concurrent requests issued in the same tick into one write.
 */
export function createRedis(url: string, commandTimeoutMs: number, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
}

/** True for errors that mean "Redis is not reachable right now" rather than a bug. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${error.message}`;
  return /Command timed out|Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|LOADING|ETIMEDOUT|EPIPE|ENOTCONN/i.test(
    text,
  );
}

import { ConnectionException } from '@mikro-orm/core';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
]);

/**
 * The one classifier of the read model's MySQL/MariaDB failures: true for "unreachable, refusing connections, or
 * without the database (migrations not run)", answered 503 with Retry-After; false for anything that may be a
 * bug (a 500). Follows `cause` a few levels: MikroORM and the driver wrap the socket's error.
 */
export function isReadModelUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e instanceof ConnectionException) return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

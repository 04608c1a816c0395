import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Compares a bearer header with the admin token in constant time: both sides are hashed first so neither
 * the content nor the length of the token leaks through timing.
 */
export function isAdminAuthorized(header: string | undefined, adminToken: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  const presented = match?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(adminToken)) && match !== null;
}

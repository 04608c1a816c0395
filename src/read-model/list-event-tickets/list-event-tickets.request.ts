import { z } from 'zod';
import { eventIdParam, ticketIdParam, zoneIdParam } from '../read-model.request';

const DEFAULT_PAGE_SIZE = 50;
/** A limit above the cap is refused (400) rather than silently lowered: the client learns the rule. */
export const MAX_PAGE_SIZE = 500;

/** The cursor is the base64url of the last ticket id of the previous page: opaque to clients, checked here. */
export const encodeCursor = (ticketId: string): string => Buffer.from(ticketId, 'utf8').toString('base64url');

const cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,88}$/, 'must be a cursor returned by a previous page')
  .transform((value, ctx) => {
    const ticketId = Buffer.from(value, 'base64url').toString('utf8');
    if (!ticketIdParam.safeParse(ticketId).success || encodeCursor(ticketId) !== value) {
      ctx.addIssue({ code: 'custom', message: 'must be a cursor returned by a previous page' });
      return z.NEVER;
    }
    return ticketId;
  });

export const listEventTicketsParams = z.strictObject({ eventId: eventIdParam });

export const listEventTicketsQuery = z.strictObject({
  zoneId: zoneIdParam.optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
    .default(DEFAULT_PAGE_SIZE),
  cursor: cursor.optional(),
});

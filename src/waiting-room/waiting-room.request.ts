import { z } from 'zod';
import { identifier } from '../catalog/catalog.schema';
import { BUYER_ID } from './admission-tokens';

export const eventParams = z.strictObject({ eventId: identifier });

/** 0 turns the room off, as DELETE does. Whole buyers per second: the cursor counts whole positions. */
export const setWaitingRoomRequest = z.strictObject({
  admitPerSecond: z.number().int().min(0).max(1_000_000),
});

/**
 * Buyer ids go inside Redis hash fields and signed tokens (dot-separated): the catalog's closed alphabet,
 * at most 40 characters so a queue ticket fits a path parameter (a UUID does).
 */
export const joinQueueRequest = z.strictObject({
  buyerId: z.string().regex(BUYER_ID, 'must be 1-40 letters, digits, "_" or "-"'),
});

export const queueTicket = z.string().min(1).max(128);

export const queueStatusParams = z.strictObject({ eventId: identifier, queueTicket });

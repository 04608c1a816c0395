import { z } from 'zod';
import { identifier } from '../catalog/catalog.schema';

export const eventParams = z.strictObject({ eventId: identifier });

/** 0 turns the room off, as DELETE does. Whole buyers per second: the cursor counts whole positions. */
export const setWaitingRoomRequest = z.strictObject({
  admitPerSecond: z.number().int().min(0).max(1_000_000),
});

/** Buyer ids go inside Redis hash fields and signed tokens (dot-separated): the catalog's closed alphabet. */
export const joinQueueRequest = z.strictObject({ buyerId: identifier });

export const queueTicket = z.string().min(1).max(400);

export const queueStatusParams = z.strictObject({ eventId: identifier, queueTicket });

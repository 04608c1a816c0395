import { z } from 'zod';
import { identifier } from '../catalog/catalog.schema';

/** What a consumer accepts as a TicketReserved payload; anything else is dead-lettered, never stored. */
export const ticketReservedSchema = z.object({
  ticketId: z.uuid(),
  venueId: identifier,
  eventId: identifier,
  zoneId: z.number().int().min(1),
  row: z.string().regex(/^[A-Z]$/),
  column: z.number().int().min(1),
  price: z.number().nonnegative(),
  createdOn: z.iso.datetime(),
  /** Who bought it, as the caller's auth system names them; only tickets of a confirmed hold carry it so far. */
  buyerId: z.string().min(1).max(128).optional(),
});

export const ticketCancelledSchema = ticketReservedSchema.extend({
  reason: z.string().min(1).max(500),
  cancelledOn: z.iso.datetime(),
});

/** A refund reason is stored in the read model's `reason` column (64 characters). */
export const REFUND_REASON_MAX = 64;

export const ticketRefundedSchema = ticketReservedSchema.extend({
  refundedOn: z.iso.datetime(),
  reason: z.string().min(1).max(REFUND_REASON_MAX).optional(),
});

import { z } from 'zod';
import { identifier } from '../../catalog/catalog.schema';
import { REFUND_REASON_MAX } from '../ticket-event.schema';

export const refundTicketParams = z.strictObject({ ticketId: identifier });

/** The body is optional; a reason, when given, is kept with the refund in both stores. */
export const refundTicketRequest = z.strictObject({
  reason: z.string().trim().min(1).max(REFUND_REASON_MAX).optional(),
});

export type RefundTicketRequest = z.infer<typeof refundTicketRequest>;

import { z } from 'zod';
import type { ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { badRequestResponse, errorResponse, retryAfterHeaders } from '../platform/http/openapi-responses';
import { ticketFields } from '../purchasing/purchase-seat/purchase-seat.openapi';
import type { TicketView } from './ticket.view';

/** What the query routes' OpenAPI fragments share: the ticket as the read side answers it, and their statuses. */

export const ticketViewSchema: z.ZodType<TicketView> = z
  .object({
    ...ticketFields,
    status: z.enum(['RESERVED', 'CANCELLED', 'REFUNDED']),
    reason: z.string().optional().meta({ description: 'CANCELLED tickets, and REFUNDED ones refunded with a reason' }),
    refundedOn: z.iso.datetime({ offset: true }).optional().meta({ description: 'REFUNDED tickets only' }),
  })
  .meta({ id: 'Ticket' });

const readModelUnavailable = errorResponse(
  'UNAVAILABLE: the read model (MySQL) is unreachable; retry',
  retryAfterHeaders,
);

/** Queries read the read model, which the worker fills asynchronously (typically within a second). */
export const queryResponses = (found: ZodOpenApiResponseObject, notFound: string): ZodOpenApiResponsesObject => ({
  '200': found,
  '400': badRequestResponse,
  '404': errorResponse(notFound),
  '503': readModelUnavailable,
});

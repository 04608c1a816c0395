import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import {
  badRequestResponse,
  errorResponse,
  jsonContent,
  okResponse,
  retryAfterHeaders,
} from '../../platform/http/openapi-responses';
import { ticketFields } from '../purchase-seat/purchase-seat.openapi';
import type { RefundedTicketResponse } from './refund-ticket-outcome.http';
import { refundTicketParams, refundTicketRequest } from './refund-ticket.request';

/** The 200's body; a z.ZodType of the interface the route answers with, so the two cannot drift apart. */
const refundedTicketSchema: z.ZodType<RefundedTicketResponse> = z
  .object({
    ...ticketFields,
    status: z.literal('REFUNDED'),
    refundedOn: z.iso.datetime({ offset: true }),
    reason: z.string().optional(),
  })
  .meta({ id: 'RefundedTicket' });

/** POST /api/v1/tickets/{ticketId}/refund (RefundTicketHttpController). */
export const refundTicketOpenApi: OpenApiRoute = {
  path: '/api/v1/tickets/{ticketId}/refund',
  item: {
    post: {
      tags: ['admin'],
      summary: 'Refund a ticket and put its seat back on sale',
      description:
        'One atomic Redis call frees the seat and records the refund once per ticket; both stores then show ' +
        'the ticket REFUNDED and /sales no longer counts it. The seat can be sold again, with a new ticket id.',
      security: [{ adminToken: [] }],
      requestParams: { path: refundTicketParams },
      requestBody: { required: false, ...jsonContent(refundTicketRequest.meta({ id: 'RefundTicketRequest' })) },
      responses: {
        '200': okResponse('Refunded', refundedTicketSchema),
        '400': badRequestResponse,
        '401': errorResponse('UNAUTHORIZED: missing or wrong bearer token'),
        '404': errorResponse('NOT_FOUND: no such ticket (yet)'),
        '409': errorResponse('ALREADY_REFUNDED, or TICKET_CANCELLED: the ticket never held its seat'),
        '503': errorResponse(
          'UNAVAILABLE: the seat inventory or the read model is unreachable, or the sale is being rebuilt; retry',
          retryAfterHeaders,
        ),
      },
    },
  },
};

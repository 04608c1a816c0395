import { z } from 'zod';
import { BUYER_ID_HEADER, PURCHASE_TOKEN_HEADER } from '../../platform/http/admission';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import {
  badRequestResponse,
  errorResponse,
  jsonContent,
  okResponse,
  retryAfterHeaders,
} from '../../platform/http/openapi-responses';
import type { TicketResponse } from './purchase-outcome.http';
import { idempotencyKeyHeader, purchaseSeatRequest } from './purchase-seat.request';

const isoInstant = z.iso.datetime({ offset: true });

/** A ticket's fields as every route that answers one documents them (the read side adds its status and reason). */
export const ticketFields = {
  ticketId: z.string(),
  venueId: z.string(),
  eventId: z.string(),
  zoneId: z.number().int(),
  row: z.string(),
  column: z.number().int(),
  price: z.number(),
  createdOn: isoInstant,
};

/** The 201's body; a z.ZodType of the interface the route answers with, so the two cannot drift apart. */
const ticketResponseSchema: z.ZodType<TicketResponse> = z
  .object({ ...ticketFields, status: z.literal('RESERVED') })
  .meta({ id: 'ReservedTicket' });

export const purchaseSeatOpenApi: OpenApiRoute = {
  path: '/api/v1/tickets',
  item: {
    post: {
      tags: ['purchase'],
      summary: 'Buy a seat',
      description:
        'A 201 means the ticket will reach both stores even if the API dies right after answering. ' +
        'With an Idempotency-Key, a retry with the same body returns the original 201 for 24 h.',
      requestParams: {
        header: z.object({
          'Idempotency-Key': idempotencyKeyHeader.optional().meta({ description: 'Makes retries safe' }),
          [PURCHASE_TOKEN_HEADER]: z
            .string()
            .optional()
            .meta({ description: 'Required when the event has a waiting room: the token admission gave' }),
          [BUYER_ID_HEADER]: z
            .string()
            .optional()
            .meta({ description: 'The buyer the purchase is for; the purchase token must be theirs' }),
        }),
      },
      requestBody: { required: true, ...jsonContent(purchaseSeatRequest.meta({ id: 'PurchaseSeatRequest' })) },
      responses: {
        '201': okResponse('The seat is yours', ticketResponseSchema),
        '400': badRequestResponse,
        '403': errorResponse(
          'ADMISSION_REQUIRED: the event has a waiting room and the purchase token is missing, invalid, ' +
            'expired, for another event or another buyer (checked before any Redis work)',
        ),
        '404': errorResponse('NOT_FOUND: unknown venue, event or zone, or a seat outside the zone'),
        '409': errorResponse('SEAT_TAKEN, ROW_SOLD_OUT or ZONE_SOLD_OUT'),
        '413': errorResponse('PAYLOAD_TOO_LARGE: the body is over BODY_LIMIT_BYTES'),
        '422': errorResponse('IDEMPOTENCY_KEY_REUSED: the key was used for a different seat'),
        '429': errorResponse('RATE_LIMITED: too many purchases from this address in the window', retryAfterHeaders),
        '503': errorResponse(
          'UNAVAILABLE: the seat inventory is unreachable or refusing commands, or the sale is being rebuilt; retry',
          retryAfterHeaders,
        ),
      },
    },
  },
};

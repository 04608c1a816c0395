import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import {
  badRequestResponse,
  errorResponse,
  jsonContent,
  okResponse,
  retryAfterHeaders,
} from '../platform/http/openapi-responses';
import { ticketFields } from '../purchasing/purchase-seat/purchase-seat.openapi';
import { confirmHoldRequest, holdParams, placeHoldRequest } from './hold.request';
import type { HoldErrorBody, HoldResponse, HoldSeatResponse, PlacedHoldResponse } from './order-outcome.http';

/** Documented with MAX_SEATS_PER_ORDER's default; a deployment may allow more or fewer. */
const DEFAULT_MAX_SEATS_PER_ORDER = 8;

const isoInstant = z.iso.datetime({ offset: true });

const holdSeatSchema: z.ZodType<HoldSeatResponse> = z.object({
  zoneId: z.number().int(),
  row: z.string(),
  column: z.number().int(),
});

const holdErrorSchema: z.ZodType<HoldErrorBody> = z
  .object({
    error: z.string().meta({ description: 'SEAT_TAKEN, ROW_SOLD_OUT, HOLD_EXPIRED, …' }),
    message: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    seat: holdSeatSchema.optional().meta({ description: 'SEAT_TAKEN, ROW_SOLD_OUT, DUPLICATE_SEAT: which seat' }),
  })
  .meta({ id: 'HoldError' });

const placedHoldSchema: z.ZodType<PlacedHoldResponse> = z
  .object({
    holdId: z.string(),
    status: z.literal('held'),
    eventId: z.string(),
    buyerId: z.string(),
    seats: z.array(holdSeatSchema),
    total: z.number().meta({ description: "The zone's ticket price times the seats" }),
    expiresAt: isoInstant.meta({ description: 'The seats go back on sale then unless the hold is confirmed' }),
  })
  .meta({ id: 'PlacedHold' });

const holdSchema: z.ZodType<HoldResponse> = z
  .object({
    holdId: z.string(),
    status: z.enum(['held', 'confirmed']),
    eventId: z.string(),
    buyerId: z.string(),
    seats: z.array(holdSeatSchema),
    expiresAt: isoInstant,
    ticketIds: z.array(z.string()).optional().meta({ description: 'Confirmed holds: one ticket per seat' }),
    tickets: z
      .array(z.object({ ...ticketFields, buyerId: z.string().optional() }))
      .optional()
      .meta({ description: 'The answer to a confirm: the tickets themselves' }),
  })
  .meta({ id: 'Hold' });

const holdError = (description: string): ZodOpenApiResponseObject => ({ description, ...jsonContent(holdErrorSchema) });

export const placeHoldOpenApi: OpenApiRoute = {
  path: '/api/v1/holds',
  item: {
    post: {
      tags: ['holds'],
      summary: 'Hold seats of one zone (listed, or the best available) for HOLD_TTL_SECONDS',
      description:
        'All or none: listed seats (1 to MAX_SEATS_PER_ORDER, default 8, one zone) or `quantity` adjacent seats ' +
        'of one row chosen nearest the stage (`bestAvailable: true`). The buyer is the body field `buyerId`.',
      requestBody: {
        required: true,
        ...jsonContent(placeHoldRequest(DEFAULT_MAX_SEATS_PER_ORDER).meta({ id: 'PlaceHoldRequest' })),
      },
      responses: {
        '201': okResponse('The seats are held until expiresAt', placedHoldSchema),
        '400': holdError('VALIDATION_FAILED, or DUPLICATE_SEAT (`seat` says which)'),
        '403': errorResponse(
          'ADMISSION_REQUIRED: the event has a waiting room; send the purchase token it gave in x-purchase-token',
        ),
        '404': errorResponse('NOT_FOUND: unknown venue, event or zone, or a seat outside the zone'),
        '409': holdError(
          'SEAT_TAKEN or ROW_SOLD_OUT (`seat` says which), ZONE_SOLD_OUT, NOT_ENOUGH_ADJACENT, BUYER_LIMIT',
        ),
        '503': errorResponse(
          'UNAVAILABLE: the seat inventory is unreachable, the sale is being rebuilt, or the claim on the ' +
            "buyer's limit lapsed before the seats were taken; retry",
          retryAfterHeaders,
        ),
      },
    },
  },
};

export const getHoldOpenApi: OpenApiRoute = {
  path: '/api/v1/holds/{holdId}',
  item: {
    get: {
      tags: ['holds'],
      summary: 'A hold: held, or confirmed with its ticket ids',
      requestParams: { path: holdParams },
      responses: {
        '200': okResponse('The hold', holdSchema),
        '400': badRequestResponse,
        '404': holdError('HOLD_NOT_FOUND: unknown, cancelled or expired'),
      },
    },
  },
};

export const cancelHoldOpenApi: OpenApiRoute = {
  path: '/api/v1/holds/{holdId}',
  item: {
    delete: {
      tags: ['holds'],
      summary: 'Cancel a hold: its seats are on sale again at once',
      description: 'Idempotent: 204 also when there is nothing to cancel (unknown, cancelled or expired already).',
      requestParams: { path: holdParams },
      responses: {
        '204': { description: 'Cancelled, or nothing to cancel' },
        '400': badRequestResponse,
        '409': holdError('HOLD_CONFIRMED: its seats are sold'),
      },
    },
  },
};

export const confirmHoldOpenApi: OpenApiRoute = {
  path: '/api/v1/holds/{holdId}/confirm',
  item: {
    post: {
      tags: ['holds'],
      summary: 'Turn a hold into tickets (one per seat), before expiresAt',
      description:
        'Idempotent: a repeat answers the same tickets. The tickets reach both stores like single-seat ones.',
      requestParams: { path: holdParams },
      requestBody: { required: true, ...jsonContent(confirmHoldRequest.meta({ id: 'ConfirmHoldRequest' })) },
      responses: {
        '200': okResponse('Confirmed: the hold with its tickets', holdSchema),
        '400': badRequestResponse,
        '404': holdError('HOLD_NOT_FOUND: unknown, cancelled or expired and released'),
        '409': holdError("HOLD_EXPIRED: past expiresAt; HOLD_LOST: the zone's seat map was restored since the hold"),
      },
    },
  },
};

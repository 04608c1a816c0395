import { z } from 'zod';
import { createDocument, type ZodOpenApiResponseObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { eventSchema } from '../catalog/catalog.schema';
import { idempotencyKeyHeader, purchaseSeatRequest } from '../purchasing/purchase-seat/purchase-seat.request';
import { refundTicketParams, refundTicketRequest } from '../purchasing/refund-ticket/refund-ticket.request';
import { getTicketParams } from '../read-model/get-ticket/get-ticket.request';
import {
  listEventTicketsParams,
  listEventTicketsQuery,
} from '../read-model/list-event-tickets/list-event-tickets.request';
import { salesByEventParams } from '../read-model/sales-by-event/sales-by-event.request';
import { zoneSeatMapParams } from '../read-model/zone-seat-map/zone-seat-map.request';
import { seatStreamParams } from '../live/seat-stream.http.controller';
import { opsQuery } from '../ops/dashboard/ops-dashboard.http.controller';
import {
  errorBodySchema,
  eventResponseSchema,
  eventSalesSchema,
  liveSchema,
  openedSaleSchema,
  outboxSchema,
  readinessSchema,
  refundedTicketSchema,
  ticketPageSchema,
  ticketResponseSchema,
  ticketViewSchema,
  venueResponseSchema,
  zoneSeatMapSchema,
} from './response.schemas';

/*
 * The OpenAPI document of the API, built from the zod schemas the controllers validate requests with
 * (imported, never restated), so a changed request rule changes the documentation with it.
 */

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const retryAfter = z.object({
  'retry-after': z.string().meta({ description: 'Seconds to wait before retrying' }),
});

const error = (description: string, headers?: typeof retryAfter): ZodOpenApiResponseObject => ({
  description,
  ...json(errorBodySchema),
  ...(headers && { headers }),
});
const ok = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({ description, ...json(schema) });

const badRequest = error('VALIDATION_FAILED: a parameter or the body breaks its schema (`issues` says which)');
const readModelUnavailable = error('UNAVAILABLE: the read model (MySQL) is unreachable; retry', retryAfter);

/** Queries read the read model, which the worker fills asynchronously (typically within a second). */
const queryResponses = (found: ZodOpenApiResponseObject, notFound: string): ZodOpenApiResponsesObject => ({
  '200': found,
  '400': badRequest,
  '404': error(notFound),
  '503': readModelUnavailable,
});

// Path parameters of the catalog routes are matched, not validated: an unknown or malformed id is a 404.
const catalogId = (name: string) => z.object({ [name]: z.string() });

export function buildOpenApiDocument(version: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Ticketing platform',
      version,
      description:
        'Seat purchases (each seat sold at most once) and the read model of what was sold. ' +
        'Errors always have the shape `{error, message}`; validation errors `{error: "VALIDATION_FAILED", issues}`.',
    },
    tags: [
      { name: 'purchase', description: 'The hot path: one atomic Redis call per purchase' },
      { name: 'queries', description: 'The read model (MySQL), eventually consistent' },
      { name: 'catalog', description: 'Venues and events, served from memory' },
      { name: 'admin', description: 'Opening a sale, refunding a ticket' },
      { name: 'live', description: 'The live seat map: seats as they are taken (server-sent events)' },
      { name: 'operations', description: 'Health, outbox and the ops view' },
    ],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN of the deployment' },
      },
    },
    paths: {
      '/api/v1/tickets': {
        post: {
          tags: ['purchase'],
          summary: 'Buy a seat',
          description:
            'A 201 means the ticket will reach both stores even if the API dies right after answering. ' +
            'With an Idempotency-Key, a retry with the same body returns the original 201 for 24 h.',
          requestParams: {
            header: z.object({
              'Idempotency-Key': idempotencyKeyHeader.optional().meta({ description: 'Makes retries safe' }),
            }),
          },
          requestBody: { required: true, ...json(purchaseSeatRequest.meta({ id: 'PurchaseSeatRequest' })) },
          responses: {
            '201': ok('The seat is yours', ticketResponseSchema),
            '400': badRequest,
            '404': error('NOT_FOUND: unknown venue, event or zone, or a seat outside the zone'),
            '409': error('SEAT_TAKEN, ROW_SOLD_OUT or ZONE_SOLD_OUT'),
            '413': error('PAYLOAD_TOO_LARGE: the body is over BODY_LIMIT_BYTES'),
            '422': error('IDEMPOTENCY_KEY_REUSED: the key was used for a different seat'),
            '429': error('RATE_LIMITED: too many purchases from this address in the window', retryAfter),
            '503': error(
              'UNAVAILABLE: the seat inventory is unreachable or refusing commands, or the sale is being rebuilt; retry',
              retryAfter,
            ),
          },
        },
      },
      '/api/v1/tickets/{ticketId}': {
        get: {
          tags: ['queries'],
          summary: 'A ticket (RESERVED, CANCELLED or REFUNDED)',
          requestParams: { path: getTicketParams },
          responses: queryResponses(ok('The ticket', ticketViewSchema), 'NOT_FOUND: no such ticket (yet)'),
        },
      },
      '/api/v1/tickets/{ticketId}/refund': {
        post: {
          tags: ['admin'],
          summary: 'Refund a ticket and put its seat back on sale',
          description:
            'One atomic Redis call frees the seat and records the refund once per ticket; both stores then show ' +
            'the ticket REFUNDED and /sales no longer counts it. The seat can be sold again, with a new ticket id.',
          security: [{ adminToken: [] }],
          requestParams: { path: refundTicketParams },
          requestBody: { required: false, ...json(refundTicketRequest.meta({ id: 'RefundTicketRequest' })) },
          responses: {
            '200': ok('Refunded', refundedTicketSchema),
            '400': badRequest,
            '401': error('UNAUTHORIZED: missing or wrong bearer token'),
            '404': error('NOT_FOUND: no such ticket (yet)'),
            '409': error('ALREADY_REFUNDED, or TICKET_CANCELLED: the ticket never held its seat'),
            '503': error(
              'UNAVAILABLE: the seat inventory is unreachable, or the sale is being rebuilt; retry',
              retryAfter,
            ),
          },
        },
      },
      '/api/v1/events/{eventId}/sales': {
        get: {
          tags: ['queries'],
          summary: 'Live tickets and revenue of an event, per zone',
          requestParams: { path: salesByEventParams },
          responses: queryResponses(ok('The sales', eventSalesSchema), 'NOT_FOUND: the read model knows no such event'),
        },
      },
      '/api/v1/events/{eventId}/tickets': {
        get: {
          tags: ['queries'],
          summary: "A page of an event's tickets, in ticket id order",
          requestParams: { path: listEventTicketsParams, query: listEventTicketsQuery },
          responses: queryResponses(ok('A page', ticketPageSchema), 'NOT_FOUND: the read model knows no such event'),
        },
      },
      '/api/v1/events/{eventId}/zones/{zoneId}/seats': {
        get: {
          tags: ['queries'],
          summary: 'The taken seats of a zone',
          requestParams: { path: zoneSeatMapParams },
          responses: queryResponses(ok('The seat map', zoneSeatMapSchema), 'NOT_FOUND: no such event or zone'),
        },
      },
      '/api/v1/venues': {
        get: {
          tags: ['catalog'],
          summary: 'Every venue with its zones',
          responses: { '200': ok('The venues', z.array(venueResponseSchema)) },
        },
      },
      '/api/v1/venues/{venueId}': {
        get: {
          tags: ['catalog'],
          summary: 'One venue',
          requestParams: { path: catalogId('venueId') },
          responses: { '200': ok('The venue', venueResponseSchema), '404': error('NOT_FOUND') },
        },
      },
      '/api/v1/events': {
        get: {
          tags: ['catalog'],
          summary: 'The events on sale',
          responses: { '200': ok('The events', z.array(eventResponseSchema)) },
        },
      },
      '/api/v1/events/{eventId}/seat-stream': {
        get: {
          tags: ['live'],
          summary: "Server-sent events: a snapshot of the event's taken seats, then each seat as it is taken",
          requestParams: { path: seatStreamParams },
          responses: {
            '200': {
              description: 'An event stream (text/event-stream) of `snapshot` and `seats` messages',
              content: { 'text/event-stream': { schema: z.string() } },
            },
            '400': error('VALIDATION_FAILED'),
            '404': error('NOT_FOUND'),
            '503': error('Too many open streams on this process', retryAfter),
          },
        },
      },
      '/api/v1/events/{eventId}': {
        get: {
          tags: ['catalog'],
          summary: 'One event',
          requestParams: { path: catalogId('eventId') },
          responses: { '200': ok('The event', eventResponseSchema), '404': error('NOT_FOUND') },
        },
      },
      '/api/v1/admin/events': {
        post: {
          tags: ['admin'],
          summary: 'Create an event and open its sale',
          security: [{ adminToken: [] }],
          requestBody: { required: true, ...json(eventSchema.meta({ id: 'OpenSaleRequest' })) },
          responses: {
            '201': ok('Created and open', openedSaleSchema),
            '400': badRequest,
            '401': error('UNAUTHORIZED: missing or wrong bearer token'),
            '404': error('NOT_FOUND: unknown venue'),
            '409': error('EVENT_EXISTS'),
          },
        },
      },
      '/api/v1/ops/outbox': {
        get: {
          tags: ['operations'],
          summary: 'Outbox backlog',
          responses: { '200': ok('The backlog', outboxSchema) },
        },
      },
      '/api/v1/ops/dashboard': {
        get: {
          tags: ['operations'],
          summary: 'The ops view figures once: outcomes, purchase rate, outbox, pipelines, sales by zone',
          requestParams: { query: opsQuery },
          responses: { '200': ok('The figures', z.looseObject({})), '400': error('VALIDATION_FAILED') },
        },
      },
      '/api/v1/ops/stream': {
        get: {
          tags: ['operations'],
          summary: 'Server-sent events: the ops view figures once a second',
          requestParams: { query: opsQuery },
          responses: {
            '200': {
              description: 'An event stream (text/event-stream)',
              content: { 'text/event-stream': { schema: z.string() } },
            },
            '400': error('VALIDATION_FAILED'),
            '503': error('Too many open streams on this process', retryAfter),
          },
        },
      },
      '/health/live': {
        get: {
          tags: ['operations'],
          summary: 'Liveness: the process answers',
          responses: { '200': ok('Alive', liveSchema) },
        },
      },
      '/health/ready': {
        get: {
          tags: ['operations'],
          summary: 'Readiness: Redis, RabbitMQ and MySQL answer (each check bounded to 1 s)',
          responses: { '200': ok('Ready', readinessSchema), '503': ok('A dependency failed', readinessSchema) },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } } },
        },
      },
    },
  });
}

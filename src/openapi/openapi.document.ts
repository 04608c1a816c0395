import { createDocument } from 'zod-openapi';
import { getEventOpenApi, getVenueOpenApi, listEventsOpenApi, listVenuesOpenApi } from '../catalog/catalog.openapi';
import { openSaleOpenApi } from '../catalog/open-sale/open-sale.openapi';
import { queueStreamOpenApi } from '../live/queue-stream.openapi';
import { seatStreamOpenApi } from '../live/seat-stream.openapi';
import { opsDashboardOpenApi, opsStreamOpenApi } from '../ops/dashboard/ops-dashboard.openapi';
import { cancelHoldOpenApi, confirmHoldOpenApi, getHoldOpenApi, placeHoldOpenApi } from '../orders/holds.openapi';
import { liveOpenApi, outboxOpenApi, readyOpenApi } from '../ops/health.openapi';
import { metricsOpenApi } from '../platform/metrics/metrics.openapi';
import { openApiPaths, type OpenApiRoute } from '../platform/http/openapi-route';
import { purchaseSeatOpenApi } from '../purchasing/purchase-seat/purchase-seat.openapi';
import { refundTicketOpenApi } from '../purchasing/refund-ticket/refund-ticket.openapi';
import { getTicketOpenApi } from '../read-model/get-ticket/get-ticket.openapi';
import { listEventTicketsOpenApi } from '../read-model/list-event-tickets/list-event-tickets.openapi';
import { salesByEventOpenApi } from '../read-model/sales-by-event/sales-by-event.openapi';
import { zoneSeatMapOpenApi } from '../read-model/zone-seat-map/zone-seat-map.openapi';
import { joinQueueOpenApi, queueStatusOpenApi, waitingRoomAdminOpenApi } from '../waiting-room/waiting-room.openapi';

/*
 * The OpenAPI document of the API. Each route documents itself in a `*.openapi.ts` beside it, built from the
 * zod schemas it validates requests with (imported, never restated), so a changed request rule changes the
 * documentation with it. This file only says which routes the API serves, in the order the reference lists
 * them, and what the document says about the API as a whole (tags, security schemes).
 */

const API_ROUTES: readonly OpenApiRoute[] = [
  purchaseSeatOpenApi,
  placeHoldOpenApi,
  getHoldOpenApi,
  cancelHoldOpenApi,
  confirmHoldOpenApi,
  getTicketOpenApi,
  refundTicketOpenApi,
  salesByEventOpenApi,
  listEventTicketsOpenApi,
  zoneSeatMapOpenApi,
  listVenuesOpenApi,
  getVenueOpenApi,
  listEventsOpenApi,
  seatStreamOpenApi,
  joinQueueOpenApi,
  queueStatusOpenApi,
  queueStreamOpenApi,
  getEventOpenApi,
  openSaleOpenApi,
  waitingRoomAdminOpenApi,
  outboxOpenApi,
  opsDashboardOpenApi,
  opsStreamOpenApi,
  liveOpenApi,
  readyOpenApi,
  metricsOpenApi,
];

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
      { name: 'holds', description: 'Seats held for a while, then confirmed into tickets, cancelled or expired' },
      { name: 'admin', description: 'Opening a sale, refunding a ticket' },
      { name: 'waiting room', description: 'The queue in front of a sale: a place, then a purchase token' },
      { name: 'live', description: 'The live seat map: seats as they are taken (server-sent events)' },
      { name: 'operations', description: 'Health, outbox and the ops view' },
    ],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN of the deployment' },
      },
    },
    paths: openApiPaths(API_ROUTES),
  });
}

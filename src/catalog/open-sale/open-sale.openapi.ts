import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { badRequestResponse, errorResponse, jsonContent, okResponse } from '../../platform/http/openapi-responses';
import { eventSchema, type SaleEvent } from '../catalog.schema';

const openedSaleSchema: z.ZodType<SaleEvent & { status: 'OPEN' }> = eventSchema
  .extend({ status: z.literal('OPEN') })
  .meta({ id: 'OpenedSale' });

/** POST /api/v1/admin/events (OpenSaleHttpController), its body documented from the schema it validates with. */
export const openSaleOpenApi: OpenApiRoute = {
  path: '/api/v1/admin/events',
  item: {
    post: {
      tags: ['admin'],
      summary: 'Create an event and open its sale',
      security: [{ adminToken: [] }],
      requestBody: { required: true, ...jsonContent(eventSchema.meta({ id: 'OpenSaleRequest' })) },
      responses: {
        '201': okResponse('Created and open', openedSaleSchema),
        '400': badRequestResponse,
        '401': errorResponse('UNAUTHORIZED: missing or wrong bearer token'),
        '404': errorResponse('NOT_FOUND: unknown venue'),
        '409': errorResponse('EVENT_EXISTS'),
      },
    },
  },
};

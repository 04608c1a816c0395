import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { okResponse } from '../../platform/http/openapi-responses';
import { queryResponses } from '../read-model.openapi';
import type { EventSales } from './sales-by-event.query';
import { salesByEventParams } from './sales-by-event.request';

const eventSalesSchema: z.ZodType<EventSales> = z
  .object({
    eventId: z.string(),
    venueId: z.string(),
    ticketsSold: z.number().int(),
    revenue: z.number(),
    zones: z.array(z.object({ zoneId: z.number().int(), sold: z.number().int(), revenue: z.number() })),
  })
  .meta({ id: 'EventSales' });

export const salesByEventOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/sales',
  item: {
    get: {
      tags: ['queries'],
      summary: 'Live tickets and revenue of an event, per zone',
      requestParams: { path: salesByEventParams },
      responses: queryResponses(
        okResponse('The sales', eventSalesSchema),
        'NOT_FOUND: the read model knows no such event',
      ),
    },
  },
};

import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { okResponse } from '../../platform/http/openapi-responses';
import { queryResponses } from '../read-model.openapi';
import type { ZoneSeatMap } from './zone-seat-map.query';
import { zoneSeatMapParams } from './zone-seat-map.request';

const zoneSeatMapSchema: z.ZodType<ZoneSeatMap> = z
  .object({
    eventId: z.string(),
    zoneId: z.number().int(),
    rows: z.number().int(),
    columns: z.number().int(),
    taken: z.array(z.string()).meta({ description: 'Seats with a live ticket, row letter + column ("A1")' }),
  })
  .meta({ id: 'ZoneSeatMap' });

export const zoneSeatMapOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/zones/{zoneId}/seats',
  item: {
    get: {
      tags: ['queries'],
      summary: 'The taken seats of a zone',
      requestParams: { path: zoneSeatMapParams },
      responses: queryResponses(okResponse('The seat map', zoneSeatMapSchema), 'NOT_FOUND: no such event or zone'),
    },
  },
};

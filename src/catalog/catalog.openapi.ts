import { z } from 'zod';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import { errorResponse, okResponse } from '../platform/http/openapi-responses';
import { eventSchema, venueSchema } from './catalog.schema';

/** The catalog's routes (CatalogHttpController) in the OpenAPI document. */

export const venueResponseSchema = venueSchema.meta({ id: 'Venue' });
export const eventResponseSchema = eventSchema.meta({ id: 'SaleEvent' });

// Path parameters of the catalog routes are matched, not validated: an unknown or malformed id is a 404.
const catalogId = (name: string) => z.object({ [name]: z.string() });

export const listVenuesOpenApi: OpenApiRoute = {
  path: '/api/v1/venues',
  item: {
    get: {
      tags: ['catalog'],
      summary: 'Every venue with its zones',
      responses: { '200': okResponse('The venues', z.array(venueResponseSchema)) },
    },
  },
};

export const getVenueOpenApi: OpenApiRoute = {
  path: '/api/v1/venues/{venueId}',
  item: {
    get: {
      tags: ['catalog'],
      summary: 'One venue',
      requestParams: { path: catalogId('venueId') },
      responses: { '200': okResponse('The venue', venueResponseSchema), '404': errorResponse('NOT_FOUND') },
    },
  },
};

export const listEventsOpenApi: OpenApiRoute = {
  path: '/api/v1/events',
  item: {
    get: {
      tags: ['catalog'],
      summary: 'The events on sale',
      responses: { '200': okResponse('The events', z.array(eventResponseSchema)) },
    },
  },
};

export const getEventOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}',
  item: {
    get: {
      tags: ['catalog'],
      summary: 'One event',
      requestParams: { path: catalogId('eventId') },
      responses: { '200': okResponse('The event', eventResponseSchema), '404': errorResponse('NOT_FOUND') },
    },
  },
};

import { z } from 'zod';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import { errorResponse, retryAfterHeaders } from '../platform/http/openapi-responses';
import { seatStreamParams } from './seat-stream.http.controller';

export const seatStreamOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/seat-stream',
  item: {
    get: {
      tags: ['live'],
      summary: "Server-sent events: a snapshot of the event's taken seats, then each seat as it is taken",
      requestParams: { path: seatStreamParams },
      responses: {
        '200': {
          description: 'An event stream (text/event-stream) of `snapshot` and `seats` messages',
          content: { 'text/event-stream': { schema: z.string() } },
        },
        '400': errorResponse('VALIDATION_FAILED'),
        '404': errorResponse('NOT_FOUND'),
        '503': errorResponse('Too many open streams on this process', retryAfterHeaders),
      },
    },
  },
};

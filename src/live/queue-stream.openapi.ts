import { z } from 'zod';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import { errorResponse, retryAfterHeaders } from '../platform/http/openapi-responses';
import { eventParams } from '../waiting-room/waiting-room.request';
import { queueStreamQuery } from './queue-stream.http.controller';

/** GET /api/v1/events/{eventId}/queue/stream (QueueStreamHttpController). */
export const queueStreamOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/queue/stream',
  item: {
    get: {
      tags: ['waiting room'],
      summary: 'Server-sent events: `queue` (the place) every refresh, then `admitted` with the token',
      requestParams: { path: eventParams, query: queueStreamQuery },
      responses: {
        '200': {
          description: 'An event stream (text/event-stream) of `queue`, then `admitted` or `closed`',
          content: { 'text/event-stream': { schema: z.string() } },
        },
        '400': errorResponse('VALIDATION_FAILED'),
        '403': errorResponse('INVALID_QUEUE_TICKET'),
        '429': errorResponse('Too many open streams from this address', retryAfterHeaders),
        '503': errorResponse('Too many open streams on this process', retryAfterHeaders),
      },
    },
  },
};

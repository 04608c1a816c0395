import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { errorResponse, okResponse, retryAfterHeaders } from '../../platform/http/openapi-responses';
import { opsQuery } from './ops-dashboard.http.controller';

export const opsDashboardOpenApi: OpenApiRoute = {
  path: '/api/v1/ops/dashboard',
  item: {
    get: {
      tags: ['operations'],
      summary: 'The ops view figures once: outcomes, purchase rate, outbox, pipelines, sales by zone',
      requestParams: { query: opsQuery },
      responses: { '200': okResponse('The figures', z.looseObject({})), '400': errorResponse('VALIDATION_FAILED') },
    },
  },
};

export const opsStreamOpenApi: OpenApiRoute = {
  path: '/api/v1/ops/stream',
  item: {
    get: {
      tags: ['operations'],
      summary: 'Server-sent events: the ops view figures once a second',
      requestParams: { query: opsQuery },
      responses: {
        '200': {
          description: 'An event stream (text/event-stream)',
          content: { 'text/event-stream': { schema: z.string() } },
        },
        '400': errorResponse('VALIDATION_FAILED'),
        '503': errorResponse('Too many open streams on this process', retryAfterHeaders),
      },
    },
  },
};

import { z } from 'zod';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import { okResponse } from '../platform/http/openapi-responses';

/** The API's HealthHttpController routes in the OpenAPI document. */

const outboxSchema = z.object({
  backlog: z.number().int().meta({ description: 'Reservations taken but not yet confirmed by the broker' }),
  publishedByThisProcess: z.number().int(),
});

const liveSchema = z.object({ status: z.literal('ok') });

const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.boolean()).meta({ description: 'Each dependency check; false when it failed' }),
});

export const outboxOpenApi: OpenApiRoute = {
  path: '/api/v1/ops/outbox',
  item: {
    get: {
      tags: ['operations'],
      summary: 'Outbox backlog',
      responses: { '200': okResponse('The backlog', outboxSchema) },
    },
  },
};

export const liveOpenApi: OpenApiRoute = {
  path: '/health/live',
  item: {
    get: {
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      responses: { '200': okResponse('Alive', liveSchema) },
    },
  },
};

export const readyOpenApi: OpenApiRoute = {
  path: '/health/ready',
  item: {
    get: {
      tags: ['operations'],
      summary: 'Readiness: Redis, RabbitMQ and MySQL answer (each check bounded to 1 s)',
      responses: {
        '200': okResponse('Ready', readinessSchema),
        '503': okResponse('A dependency failed', readinessSchema),
      },
    },
  },
};

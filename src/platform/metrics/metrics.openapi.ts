import type { OpenApiRoute } from '../http/openapi-route';

export const metricsOpenApi: OpenApiRoute = {
  path: '/metrics',
  item: {
    get: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } } },
    },
  },
};

import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { okResponse } from '../../platform/http/openapi-responses';
import { queryResponses, ticketViewSchema } from '../read-model.openapi';
import { getTicketParams } from './get-ticket.request';

export const getTicketOpenApi: OpenApiRoute = {
  path: '/api/v1/tickets/{ticketId}',
  item: {
    get: {
      tags: ['queries'],
      summary: 'A ticket (RESERVED, CANCELLED or REFUNDED)',
      requestParams: { path: getTicketParams },
      responses: queryResponses(okResponse('The ticket', ticketViewSchema), 'NOT_FOUND: no such ticket (yet)'),
    },
  },
};

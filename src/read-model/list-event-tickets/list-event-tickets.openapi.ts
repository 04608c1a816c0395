import { z } from 'zod';
import type { OpenApiRoute } from '../../platform/http/openapi-route';
import { okResponse } from '../../platform/http/openapi-responses';
import { queryResponses, ticketViewSchema } from '../read-model.openapi';
import type { TicketPage } from './list-event-tickets.query';
import { listEventTicketsParams, listEventTicketsQuery } from './list-event-tickets.request';

/** The page as the controller sends it: the query's `nextAfter` id goes out as an opaque cursor. */
const ticketPageSchema: z.ZodType<Omit<TicketPage, 'nextAfter'> & { nextCursor: string | null }> = z
  .object({
    tickets: z.array(ticketViewSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .meta({ id: 'TicketPage' });

export const listEventTicketsOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/tickets',
  item: {
    get: {
      tags: ['queries'],
      summary: "A page of an event's tickets, in ticket id order",
      requestParams: { path: listEventTicketsParams, query: listEventTicketsQuery },
      responses: queryResponses(
        okResponse('A page', ticketPageSchema),
        'NOT_FOUND: the read model knows no such event',
      ),
    },
  },
};

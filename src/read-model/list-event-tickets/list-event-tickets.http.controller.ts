import { Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { ReadModelErrorsFilter } from '../read-model-errors.filter';
import { ListEventTicketsQuery } from './list-event-tickets.query';
import { encodeCursor, listEventTicketsParams, listEventTicketsQuery } from './list-event-tickets.request';

@Controller('api/v1/events')
@UseFilters(ReadModelErrorsFilter)
export class ListEventTicketsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':eventId/tickets')
  async list(
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path = listEventTicketsParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const filter = listEventTicketsQuery.safeParse(query);
    if (!filter.success) {
      await reply.code(400).send(validationFailed(filter.error));
      return;
    }
    const { zoneId, limit, cursor } = filter.data;
    const page = await this.queryBus.execute(new ListEventTicketsQuery(path.data.eventId, limit, zoneId, cursor));
    if (page === undefined) {
      await reply.code(404).send(errorBody('NOT_FOUND', `event ${path.data.eventId} not found`));
      return;
    }
    await reply
      .code(200)
      .send({ tickets: page.tickets, nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) });
  }
}

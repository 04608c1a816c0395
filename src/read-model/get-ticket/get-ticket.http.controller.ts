import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { ReadModelErrorsFilter } from '../read-model-errors.filter';
import { GetTicketQuery } from './get-ticket.query';
import { getTicketParams } from './get-ticket.request';

@Controller('api/v1/tickets')
@UseFilters(ReadModelErrorsFilter)
export class GetTicketHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Read-your-writes: a ticket not projected yet is answered from Redis (TicketCache) for a while. */
  @Get(':ticketId')
  async get(@Param() params: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = getTicketParams.safeParse(params);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error));
      return;
    }
    const ticket = await this.queryBus.execute(new GetTicketQuery(parsed.data.ticketId));
    if (ticket === undefined) {
      await reply.code(404).send(errorBody('NOT_FOUND', `ticket ${parsed.data.ticketId} not found`));
      return;
    }
    await reply.code(200).send(ticket);
  }
}

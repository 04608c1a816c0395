import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { ReadModelErrorsFilter } from '../read-model-errors.filter';
import { SalesByEventQuery } from './sales-by-event.query';
import { salesByEventParams } from './sales-by-event.request';

@Controller('api/v1/events')
@UseFilters(ReadModelErrorsFilter)
export class SalesByEventHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':eventId/sales')
  async sales(@Param() params: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = salesByEventParams.safeParse(params);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error));
      return;
    }
    const sales = await this.queryBus.execute(new SalesByEventQuery(parsed.data.eventId));
    if (sales === undefined) {
      await reply.code(404).send(errorBody('NOT_FOUND', `event ${parsed.data.eventId} has no sales record`));
      return;
    }
    await reply.code(200).send(sales);
  }
}

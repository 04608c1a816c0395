import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { ReadModelErrorsFilter } from '../read-model-errors.filter';
import { ZoneSeatMapQuery } from './zone-seat-map.query';
import { zoneSeatMapParams } from './zone-seat-map.request';

@Controller('api/v1/events')
@UseFilters(ReadModelErrorsFilter)
export class ZoneSeatMapHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':eventId/zones/:zoneId/seats')
  async seats(@Param() params: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = zoneSeatMapParams.safeParse(params);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error));
      return;
    }
    const { eventId, zoneId } = parsed.data;
    const map = await this.queryBus.execute(new ZoneSeatMapQuery(eventId, zoneId));
    if (map === undefined) {
      await reply.code(404).send(errorBody('NOT_FOUND', `zone ${zoneId} of event ${eventId} not found`));
      return;
    }
    await reply.code(200).send(map);
  }
}

import { Controller, Headers, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { eventSchema } from '../catalog.schema';
import { isAdminAuthorized } from '../../platform/http/bearer-token';
import { OpenSaleCommand } from './open-sale.command';

@Controller('api/v1/admin/events')
export class OpenSaleHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  async open(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
  ): Promise<void> {
    if (!isAdminAuthorized(authorization, this.config.ADMIN_TOKEN ?? '')) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('UNAUTHORIZED', 'a valid admin bearer token is required'));
      return;
    }
    const body = eventSchema.safeParse(request.body);
    if (!body.success) {
      await reply.code(400).send(validationFailed(body.error));
      return;
    }
    const outcome = await this.commandBus.execute(new OpenSaleCommand(body.data));
    switch (outcome) {
      case 'CREATED':
        await reply.code(201).send({ ...body.data, status: 'OPEN' });
        return;
      case 'EXISTS':
        await reply.code(409).send(errorBody('EVENT_EXISTS', `event ${body.data.eventId} exists already`));
        return;
      case 'UNKNOWN_VENUE':
        await reply.code(404).send(errorBody('NOT_FOUND', `venue ${body.data.venueId} not found`));
        return;
      default: {
        const unhandled: never = outcome;
        throw new Error(`unmapped open-sale outcome ${String(unhandled)}`);
      }
    }
  }
}

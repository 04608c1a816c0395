import { Controller, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { isAdminAuthorized } from '../../platform/http/bearer-token';
import { errorBody, validationFailed } from '../../platform/http/error-body';
import { RefundTicketCommand } from './refund-ticket.command';
import { refundOutcomeToHttp } from './refund-ticket-outcome.http';
import { refundTicketParams, refundTicketRequest } from './refund-ticket.request';
import type { RefundTicketOutcome } from './refund-ticket.outcome';
import { TicketLookupUnavailableError } from './ticket-lookup.port';

/** POST /api/v1/tickets/:ticketId/refund (admin token): zod in, RefundTicketCommand out, outcome -> status. */
@Controller('api/v1/tickets')
export class RefundTicketHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':ticketId/refund')
  async refund(
    @Param() params: Record<string, string>,
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
    const path = refundTicketParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const body = refundTicketRequest.safeParse(request.body ?? {});
    if (!body.success) {
      await reply.code(400).send(validationFailed(body.error));
      return;
    }
    let outcome: RefundTicketOutcome;
    try {
      outcome = await this.commandBus.execute(new RefundTicketCommand(path.data.ticketId, body.data.reason));
    } catch (error) {
      // Redis unreachable is a 503 through the global filter; the read side's outage is named here.
      if (!(error instanceof TicketLookupUnavailableError)) throw error;
      await reply
        .code(503)
        .header('retry-after', '1')
        .send(errorBody('UNAVAILABLE', 'the tickets cannot be read now, retry shortly'));
      return;
    }
    const response = refundOutcomeToHttp(outcome);
    if (outcome.kind === 'SALE_UNAVAILABLE') void reply.header('retry-after', '1');
    await reply.code(response.status).send(response.body);
  }
}

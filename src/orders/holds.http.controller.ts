import { Controller, Delete, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { ADMISSION_REQUIRED } from '../platform/http/admission';
import { validationFailed } from '../platform/http/error-body';
import { CancelHoldCommand } from './cancel-hold/cancel-hold.command';
import { ConfirmHoldCommand } from './confirm-hold/confirm-hold.command';
import { GetHoldQuery } from './get-hold/get-hold.query';
import { bestAvailableHoldRequest, confirmHoldRequest, holdParams, listedSeatsHoldRequest } from './hold.request';
import type { OrderOutcome } from './order-outcome';
import { orderOutcomeToHttp } from './order-outcome.http';
import { PlaceHoldCommand } from './place-hold/place-hold.command';

const wantsBestAvailable = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && 'bestAvailable' in body;

/**
 * Holds: POST /api/v1/holds takes seats for HOLD_TTL_SECONDS, POST .../confirm turns them into tickets,
 * DELETE gives them back, GET shows one. zod in, a command or query out, the outcome mapped to a status in
 * one place (order-outcome.http.ts).
 */
@Controller('api/v1/holds')
export class HoldsHttpController {
  private readonly listedSeats: ReturnType<typeof listedSeatsHoldRequest>;
  private readonly bestAvailable: ReturnType<typeof bestAvailableHoldRequest>;

  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.listedSeats = listedSeatsHoldRequest(config.MAX_SEATS_PER_ORDER);
    this.bestAvailable = bestAvailableHoldRequest(config.MAX_SEATS_PER_ORDER);
  }

  // Taking seats is selling: with a waiting room for the event, the buyer needs its purchase token.
  @Post()
  @RouteConfig(ADMISSION_REQUIRED)
  async place(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The form is chosen by `bestAvailable`, so a refusal names the fields of the form the client meant.
    if (wantsBestAvailable(request.body)) {
      const body = this.bestAvailable.safeParse(request.body);
      if (!body.success) return this.invalid(reply, body.error);
      const { venueId, eventId, buyerId, zoneId, quantity } = body.data;
      return this.send(
        reply,
        await this.commandBus.execute(
          new PlaceHoldCommand(venueId, eventId, buyerId, zoneId, { bestAvailable: quantity }),
        ),
      );
    }
    const body = this.listedSeats.safeParse(request.body);
    if (!body.success) return this.invalid(reply, body.error);
    const { venueId, eventId, buyerId, seats } = body.data;
    const pick = { seats: seats.map(({ row, column }) => ({ row, column })) };
    return this.send(
      reply,
      await this.commandBus.execute(new PlaceHoldCommand(venueId, eventId, buyerId, seats[0]!.zoneId, pick)),
    );
  }

  @Get(':holdId')
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = holdParams.safeParse(request.params);
    if (!params.success) return this.invalid(reply, params.error);
    return this.send(reply, await this.queryBus.execute(new GetHoldQuery(params.data.holdId)));
  }

  @Post(':holdId/confirm')
  async confirm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = holdParams.safeParse(request.params);
    if (!params.success) return this.invalid(reply, params.error);
    const body = confirmHoldRequest.safeParse(request.body);
    if (!body.success) return this.invalid(reply, body.error);
    return this.send(
      reply,
      await this.commandBus.execute(new ConfirmHoldCommand(params.data.holdId, body.data.paymentReference)),
    );
  }

  @Delete(':holdId')
  async cancel(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = holdParams.safeParse(request.params);
    if (!params.success) return this.invalid(reply, params.error);
    return this.send(reply, await this.commandBus.execute(new CancelHoldCommand(params.data.holdId)));
  }

  private async invalid(reply: FastifyReply, error: Parameters<typeof validationFailed>[0]): Promise<void> {
    await reply.code(400).send(validationFailed(error));
  }

  private async send(reply: FastifyReply, outcome: OrderOutcome): Promise<void> {
    const response = orderOutcomeToHttp(outcome);
    // A seat map being rebuilt: the client retries, as after any other 503.
    if (outcome.kind === 'SALE_UNAVAILABLE') void reply.header('retry-after', '1');
    if (!('body' in response)) {
      await reply.code(response.status).send();
      return;
    }
    await reply.code(response.status).send(response.body);
  }
}

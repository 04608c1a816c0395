import { Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validationFailed } from '../../http/error-body';
import type { PurchaseOutcome } from '../purchase-outcome';
import { PurchaseMetrics } from './purchase-metrics';
import { PurchaseSeatCommand } from './purchase-seat.command';
import { purchaseOutcomeToHttp } from './purchase-outcome.http';
import { idempotencyKeyHeader, purchaseSeatRequest } from './purchase-seat.request';

@Controller('api/v1/tickets')
export class PurchaseSeatHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly metrics: PurchaseMetrics,
  ) {}

  // The hot path: the reply is written directly (no exceptions for the 409s that are half of a rush).
  @Post()
  async purchase(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<void> {
    const startedAt = performance.now();
    const body = purchaseSeatRequest.safeParse(request.body);
    if (!body.success) {
      await reply.code(400).send(validationFailed(body.error));
      return;
    }
    if (idempotencyKey !== undefined) {
      const key = idempotencyKeyHeader.safeParse(idempotencyKey);
      if (!key.success) {
        await reply.code(400).send(validationFailed(key.error, 'Idempotency-Key'));
        return;
      }
    }
    const { venueId, eventId, zoneId, row, column } = body.data;
    let outcome: PurchaseOutcome;
    try {
      outcome = await this.commandBus.execute(
        new PurchaseSeatCommand(venueId, eventId, zoneId, row, column, idempotencyKey),
      );
    } catch (error) {
      this.metrics.failed(error, startedAt);
      throw error; // HttpErrorsFilter answers it (503 when Redis is unreachable)
    }
    this.metrics.completed(outcome, startedAt);
    const { status, body: responseBody } = purchaseOutcomeToHttp(outcome);
    // A seat map being rebuilt: the client retries, as after any other 503 (HttpErrorsFilter).
    if (outcome.kind === 'SALE_UNAVAILABLE') void reply.header('retry-after', '1');
    await reply.code(status).send(responseBody);
  }
}

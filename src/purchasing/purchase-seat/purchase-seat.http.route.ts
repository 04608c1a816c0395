import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { ADMISSION_REQUIRED } from '../../platform/http/admission';
import { validationFailed } from '../../platform/http/error-body';
import { replyWithError } from '../../platform/http/http-errors.filter';
import type { PurchaseOutcome } from '../purchase-outcome';
import { PurchaseMetrics } from './purchase-metrics';
import { PurchaseSeatCommand } from './purchase-seat.command';
import { purchaseOutcomeToHttp } from './purchase-outcome.http';
import { idempotencyKeyHeader, purchaseSeatRequest } from './purchase-seat.request';

const PURCHASE_PATH = '/api/v1/tickets';

/** What Fastify sends with a serialised object: the 201's text goes out with the same. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * POST /api/v1/tickets: zod in, PurchaseSeatCommand out, the outcome mapped to a status in one place.
 *
 * The one route registered on Fastify itself rather than as a Nest controller. Every purchase of a rush runs
 * it, and Nest's router adds an execution context, parameter decorators and an awaited reply per request that
 * this route does not need: in a CPU profile of the 163,800-request run the API's busy time fell from 14.8 to
 * 14.5 s (with Fastify's own JSON parser, see createApiApp). It still goes through Fastify's hooks (request id,
 * security headers, its rate limit) and through the CommandBus.
 */
@Injectable()
export class PurchaseSeatHttpRoute implements OnModuleInit {
  private readonly logger = new Logger('HttpErrors');

  constructor(
    private readonly commandBus: CommandBus,
    private readonly metrics: PurchaseMetrics,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** At init, as Nest adds its controllers' routes: after the app's hooks, which apply to it as to them. */
  onModuleInit(): void {
    // An application context without HTTP (the domain harness) has no adapter.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance | undefined>();
    if (fastify !== undefined) this.register(fastify);
  }

  private register(fastify: FastifyInstance): void {
    // The limit belongs to the route, not to a URL prefix: the router decodes the path (`/api/v1/%74ickets`
    // is this route), so a check on the raw URL can be walked around. The plugin hooks only routes added
    // after it has loaded; a route added before would be silently unlimited.
    const limited = this.config.RATE_LIMIT_MAX > 0;
    if (limited && !fastify.hasPlugin('@fastify/rate-limit'))
      throw new Error('@fastify/rate-limit must be registered before the purchase route (see createApiApp)');
    // With a waiting room for the event, the purchase needs its token (checked by the room, before this route).
    const config: Record<string, unknown> = {
      ...ADMISSION_REQUIRED,
      ...(limited && { rateLimit: { max: this.config.RATE_LIMIT_MAX, timeWindow: this.config.RATE_LIMIT_WINDOW_MS } }),
    };
    // Not an async handler: the reply is sent by `purchase`, which never rejects, and Fastify has no promise
    // to follow (an awaited reply would wait for the response to finish).
    fastify.post(PURCHASE_PATH, { config }, (request, reply) => {
      this.purchase(request, reply).catch((error: unknown) => replyWithError(reply, error, this.logger, request.id));
    });
  }

  private async purchase(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const startedAt = performance.now();
    const body = purchaseSeatRequest.safeParse(request.body);
    if (!body.success) {
      void reply.code(400).send(validationFailed(body.error));
      return;
    }
    let idempotencyKey: string | undefined;
    if (request.headers['idempotency-key'] !== undefined) {
      const key = idempotencyKeyHeader.safeParse(request.headers['idempotency-key']);
      if (!key.success) {
        void reply.code(400).send(validationFailed(key.error, 'Idempotency-Key'));
        return;
      }
      idempotencyKey = key.data;
    }
    const { venueId, eventId, zoneId, row, column } = body.data;
    let outcome: PurchaseOutcome;
    try {
      outcome = await this.commandBus.execute(
        new PurchaseSeatCommand(venueId, eventId, zoneId, row, column, idempotencyKey),
      );
    } catch (error) {
      this.metrics.failed(error, startedAt);
      replyWithError(reply, error, this.logger, request.id); // 503 when Redis is unreachable
      return;
    }
    this.metrics.completed(outcome, startedAt);
    const response = purchaseOutcomeToHttp(outcome);
    if ('json' in response) {
      void reply.code(response.status).header('content-type', JSON_CONTENT_TYPE).send(response.json);
      return;
    }
    // A seat map being rebuilt: the client retries, as after any other 503.
    if (outcome.kind === 'SALE_UNAVAILABLE') void reply.header('retry-after', '1');
    void reply.code(response.status).send(response.body);
  }
}

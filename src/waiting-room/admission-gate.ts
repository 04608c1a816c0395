import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { BUYER_ID_HEADER, PURCHASE_TOKEN_HEADER, requiresAdmission } from '../platform/http/admission';
import { errorBody } from '../platform/http/error-body';
import { WaitingRoom } from './waiting-room';
import { WaitingRoomMetrics } from './waiting-room.metrics';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Enforces admission on every route that declares ADMISSION_REQUIRED (POST /api/v1/tickets, the hold
 * routes): a Fastify preHandler, so it runs after the body is parsed and before the route's handler — a
 * refused request has cost a Map lookup and one HMAC, and never reaches Redis. Events without a room pay
 * the Map lookup only. `preHandler` is also exported for a route that wants to attach it itself.
 */
@Injectable()
export class AdmissionGate implements OnModuleInit {
  private readonly logger = new Logger(AdmissionGate.name);

  constructor(
    private readonly room: WaitingRoom,
    private readonly metrics: WaitingRoomMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    // An application context without HTTP (the domain harness) has no adapter.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance | undefined>();
    fastify?.addHook('preHandler', (request, reply, done) => {
      if (!requiresAdmission(request.routeOptions.config)) {
        done();
        return;
      }
      this.preHandler(request, reply, done);
    });
  }

  /** A buyer is named by the body (`buyerId`, the hold routes) or by the x-buyer-id header. */
  readonly preHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const body = request.body as { eventId?: unknown; buyerId?: unknown } | null | undefined;
    // Not a string: the route's own validation answers 400.
    if (typeof body?.eventId !== 'string') {
      done();
      return;
    }
    const buyerId = typeof body.buyerId === 'string' ? body.buyerId : header(request, BUYER_ID_HEADER);
    const refusal = this.room.refusal(body.eventId, buyerId, header(request, PURCHASE_TOKEN_HEADER));
    if (refusal === undefined) {
      done();
      return;
    }
    this.metrics.refused(refusal);
    this.logger.debug(`purchase of ${body.eventId} refused at the waiting room: ${refusal}`);
    void reply
      .code(403)
      .send(
        errorBody(
          'ADMISSION_REQUIRED',
          `this sale has a waiting room: join the queue and send the purchase token it gives in ${PURCHASE_TOKEN_HEADER} (${refusal})`,
        ),
      );
  };
}

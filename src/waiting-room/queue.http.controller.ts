import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, validationFailed } from '../platform/http/error-body';
import { eventParams, joinQueueRequest, queueStatusParams } from './waiting-room.request';
import { WaitingRoom } from './waiting-room';
import { WaitingRoomMetrics } from './waiting-room.metrics';

const noRoom = (eventId: string) =>
  errorBody('NO_WAITING_ROOM', `event ${eventId} has no waiting room: purchases need no token`);

/** A buyer's side of the waiting room: join, then ask for the place (or follow the live stream). */
@Controller('api/v1/events/:eventId/queue')
export class QueueHttpController {
  constructor(
    private readonly room: WaitingRoom,
    private readonly metrics: WaitingRoomMetrics,
  ) {}

  /** 201 {position, queueTicket}; the same position again for a buyer already in the queue. */
  @Post()
  async join(
    @Param() params: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path = eventParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const body = joinQueueRequest.safeParse(request.body);
    if (!body.success) {
      await reply.code(400).send(validationFailed(body.error));
      return;
    }
    const { eventId } = path.data;
    const outcome = await this.room.join(eventId, body.data.buyerId);
    if (outcome.kind === 'NO_ROOM') {
      await reply.code(404).send(noRoom(eventId));
      return;
    }
    this.metrics.joined();
    await reply.code(201).send({ eventId, position: outcome.position, queueTicket: outcome.queueTicket });
  }

  /** The place now; with `purchaseToken` once admitted. Answered from memory: no Redis round trip. */
  @Get(':queueTicket')
  async status(@Param() params: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const path = queueStatusParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const outcome = this.room.status(path.data.eventId, path.data.queueTicket);
    switch (outcome.kind) {
      case 'STATUS':
        await reply.code(200).send(outcome.status);
        return;
      case 'NO_ROOM':
        await reply.code(404).send(noRoom(path.data.eventId));
        return;
      case 'INVALID_TICKET':
        await reply.code(403).send(errorBody('INVALID_QUEUE_TICKET', `not a valid queue ticket (${outcome.reason})`));
        return;
      default: {
        const unhandled: never = outcome;
        throw new Error(`unmapped queue status ${String(unhandled)}`);
      }
    }
  }
}

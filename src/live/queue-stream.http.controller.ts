import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { errorBody, validationFailed } from '../platform/http/error-body';
import { WaitingRoom } from '../waiting-room/waiting-room';
import { WaitingRoomCache } from '../waiting-room/waiting-room.cache';
import { eventParams, queueTicket } from '../waiting-room/waiting-room.request';
import { SseClients } from './sse-clients';

export const queueStreamQuery = z.strictObject({ ticket: queueTicket });

@Controller('api/v1/events')
export class QueueStreamHttpController {
  constructor(
    private readonly room: WaitingRoom,
    private readonly rooms: WaitingRoomCache,
    private readonly clients: SseClients,
  ) {}

  /**
   * A waiting buyer's place as server-sent events: `queue` (position, people ahead, expected wait) at once
   * and after every refresh of the room (WAITING_ROOM_REFRESH_MS), then `admitted` with the purchase token,
   * and the stream ends (a browser closes its EventSource on `admitted`, or it reconnects and is told
   * again). `closed` when the room is turned off: purchases need no token. Nothing here reads Redis: each
   * refresh of the room is shared by every stream of the event.
   */
  @Get(':eventId/queue/stream')
  async stream(
    @Param() params: Record<string, string>,
    @Query() query: Record<string, string>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path = eventParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const parsed = queueStreamQuery.safeParse(query);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error, 'query'));
      return;
    }
    const { eventId } = path.data;
    const ticket = this.room.ticketClaims(eventId, parsed.data.ticket);
    if (ticket === undefined) {
      await reply.code(403).send(errorBody('INVALID_QUEUE_TICKET', 'not a valid queue ticket for this event'));
      return;
    }
    if (await this.clients.refused(reply)) return;
    const stream = this.clients.open(reply);
    const tell = (room: ReturnType<WaitingRoomCache['roomOf']>, now: number): void => {
      if (room === undefined) {
        stream.send('closed', JSON.stringify({ eventId, waitingRoom: false }));
        stream.close();
        return;
      }
      const status = this.room.statusAt(room, now, ticket.buyerId, ticket);
      stream.send(status.admitted ? 'admitted' : 'queue', JSON.stringify(status));
      if (status.admitted) stream.close();
    };
    tell(this.rooms.roomOf(eventId), this.rooms.now());
    if (!stream.isOpen) return;
    stream.onClose(this.rooms.watch(eventId, (tick) => tell(tick?.room, tick?.now ?? 0)));
  }
}

import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CatalogService } from '../catalog/catalog.service';
import { errorBody, validationFailed } from '../platform/http/error-body';
import { eventIdParam } from '../read-model/read-model.request';
import type { SeatsTakenMessage, TakenSeat } from './live-messages';
import { LiveSeats } from './live-seats';
import { SseClients } from './sse-clients';

export const seatStreamParams = z.strictObject({ eventId: eventIdParam });

/** Every watcher of an event gets the same array: it is serialized once, not once per open page. */
const serialized = new WeakMap<readonly TakenSeat[], string>();
function seatsJson(seats: readonly TakenSeat[]): string {
  let json = serialized.get(seats);
  if (json === undefined) {
    json = JSON.stringify({ seats } satisfies SeatsTakenMessage);
    serialized.set(seats, json);
  }
  return json;
}

@Controller('api/v1/events')
export class SeatStreamHttpController {
  private readonly logger = new Logger(SeatStreamHttpController.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly live: LiveSeats,
    private readonly clients: SseClients,
  ) {}

  /**
   * Server-sent events of one event's seat map: `snapshot` (every zone's taken seats), then `seats` as they
   * are taken by anyone, through any API process. A browser's EventSource reconnects by itself and gets a
   * new snapshot.
   */
  @Get(':eventId/seat-stream')
  async stream(@Param() params: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = seatStreamParams.safeParse(params);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error));
      return;
    }
    const { eventId } = parsed.data;
    if (await this.clients.refused(reply)) return;
    if ((await this.catalog.findEvent(eventId)) === undefined) {
      await reply.code(404).send(errorBody('NOT_FOUND', `event ${eventId} not found`));
      return;
    }
    const stream = this.clients.open(reply);
    try {
      const stop = await this.live.watch(eventId, {
        snapshot: (message) => stream.send('snapshot', JSON.stringify(message)),
        taken: (seats) => stream.send('seats', seatsJson(seats)),
        freed: (seats) => stream.send('freed', seatsJson(seats)),
      });
      if (stop !== undefined) stream.onClose(stop);
      else stream.close();
    } catch (error) {
      this.logger.warn(`seat stream of ${eventId} failed: ${(error as Error).message}`);
      stream.close();
    }
  }
}

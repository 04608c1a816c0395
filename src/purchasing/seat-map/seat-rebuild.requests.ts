import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { REDIS } from '../../platform/redis/redis.factory';
import { seatRebuildKeys, type SeatRebuildKeys } from './seat-rebuild.keys';

/** A process asks again for the same event at most this often: a 503 storm becomes one write a second. */
const REQUEST_INTERVAL_MS = 1000;
const REMEMBERED_EVENTS = 10_000;

/**
 * The hand-off between the API, which sees that Redis has lost an event's seat maps (a purchase finds the
 * event but not its zone), and the workers, which rebuild them from the event store. A Redis set, so a request
 * outlives the process that made it and any number of APIs asking for the same event make one request.
 */
@Injectable()
export class SeatRebuildRequests {
  private readonly logger = new Logger(SeatRebuildRequests.name);
  private readonly keys: SeatRebuildKeys;
  private readonly lastAsked = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = seatRebuildKeys(config.AMQP_NAMESPACE);
  }

  /**
   * Asks for the event's missing seat maps to be rebuilt. Never throws and never waits: it is called on the
   * purchase's 503 path, and the purchases that keep coming while the map is missing ask again.
   */
  request(eventId: string): void {
    const now = Date.now();
    if (now - (this.lastAsked.get(eventId) ?? 0) < REQUEST_INTERVAL_MS) return;
    if (this.lastAsked.size >= REMEMBERED_EVENTS) this.lastAsked.clear();
    this.lastAsked.set(eventId, now);
    this.redis.sadd(this.keys.requests, eventId).then(
      (added) => {
        if (added === 1) this.logger.warn(`event ${eventId}: seat map missing in Redis; rebuild requested`);
      },
      () => this.lastAsked.delete(eventId),
    );
  }

  pending(): Promise<string[]> {
    return this.redis.smembers(this.keys.requests);
  }

  async done(eventId: string): Promise<void> {
    await this.redis.srem(this.keys.requests, eventId);
  }
}

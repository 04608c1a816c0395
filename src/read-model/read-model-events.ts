import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/mysql';
import { READ_MODEL_ORM } from './read-model-orm';

export interface KnownEvent {
  eventId: string;
  venueId: string;
}

/**
 * The events the read model knows: the purchase path's fallback when Redis has lost an event's record,
 * so a sale whose seat map is gone answers 503 (being rebuilt) instead of 404 (no such event).
 */
@Injectable()
export class ReadModelEvents {
  private readonly logger = new Logger(ReadModelEvents.name);

  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  /** Undefined when unknown, or when MySQL cannot answer (the caller then treats the event as unknown). */
  async find(eventId: string): Promise<KnownEvent | undefined> {
    try {
      const rows = await this.orm.em
        .fork()
        .execute<{ event_id: string; venue_id: string }[]>('select event_id, venue_id from events where event_id = ?', [
          eventId,
        ]);
      const row = rows[0];
      return row === undefined ? undefined : { eventId: row.event_id, venueId: row.venue_id };
    } catch (error) {
      this.logger.warn(`read model not reachable for an event lookup: ${(error as Error).message}`);
      return undefined;
    }
  }
}

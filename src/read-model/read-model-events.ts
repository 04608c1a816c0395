import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/mysql';
import type { SaleEvent } from '../catalog/catalog.schema';
import { READ_MODEL_ORM } from './read-model-orm';
import { fromSqlDateTime } from './sql-datetime';

export interface KnownEvent {
  eventId: string;
  venueId: string;
}

interface EventRow {
  event_id: string;
  venue_id: string;
  name: string | null;
  type: string | null;
  date: string | Date | null;
}

/**
 * The events the read model knows. The read model outlives Redis: an event it knows has been opened for sale
 * before, so when Redis has lost the event's record or seat maps, a purchase is told to retry (503) while the
 * maps are rebuilt, instead of that no such event exists (404), and the API never opens it again empty.
 */
@Injectable()
export class ReadModelEvents {
  private readonly logger = new Logger(ReadModelEvents.name);

  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  /** Undefined when unknown, or when MySQL cannot answer (the caller then treats the event as unknown). */
  async find(eventId: string): Promise<KnownEvent | undefined> {
    try {
      const row = await this.row(eventId);
      return row === undefined ? undefined : { eventId: row.event_id, venueId: row.venue_id };
    } catch (error) {
      this.logger.warn(`read model not reachable for an event lookup: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * The event's record as it was opened, to restore it in Redis; throws when MySQL cannot answer. An event
   * first seen through a ticket has no name, type or date in the read model: `complete` is false and those
   * fields are stand-ins (the event id, "unknown", the epoch).
   */
  async findSaleEvent(eventId: string): Promise<{ event: SaleEvent; complete: boolean } | undefined> {
    const row = await this.row(eventId);
    if (row === undefined) return undefined;
    const date = row.date === null ? null : fromSqlDateTime(row.date);
    return {
      event: {
        eventId: row.event_id,
        venueId: row.venue_id,
        name: row.name ?? row.event_id,
        type: row.type ?? 'unknown',
        date: date ?? new Date(0).toISOString(),
      },
      complete: row.name !== null && row.type !== null && date !== null,
    };
  }

  private async row(eventId: string): Promise<EventRow | undefined> {
    const rows = await this.orm.em
      .fork()
      .execute<EventRow[]>('select event_id, venue_id, name, type, date from events where event_id = ?', [eventId]);
    return rows[0];
  }
}

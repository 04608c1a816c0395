import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { MikroORM } from '@mikro-orm/mysql';
import { READ_MODEL_ORM } from '../read-model-orm';
import { ZoneSeatMapQuery, type ZoneSeatMap } from './zone-seat-map.query';

interface ZoneSize {
  rows: number;
  columns: number;
}

const SIZE_CACHE_LIMIT = 10_000;

/** LIKE with '!' as the escape character: event ids may hold '_', a LIKE wildcard. */
const likePrefix = (prefix: string): string => `${prefix.replace(/[!%_]/g, '!$&')}%`;

@QueryHandler(ZoneSeatMapQuery)
export class ZoneSeatMapHandler implements IQueryHandler<ZoneSeatMapQuery, ZoneSeatMap | undefined> {
  /** An event's venue and a venue's zones never change, so a zone's size is read once per process. */
  private readonly sizes = new Map<string, ZoneSize>();

  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  /**
   * Made to be polled: after the first call, one range scan of the live_seat unique index (the index alone
   * answers it), which holds exactly the zone's live tickets under the prefix "event#zone#".
   */
  async execute({ eventId, zoneId }: ZoneSeatMapQuery): Promise<ZoneSeatMap | undefined> {
    const em = this.orm.em.fork();
    const size = await this.zoneSize(eventId, zoneId);
    if (size === undefined) return undefined;
    const rows = await em.execute<{ live_seat: string }[]>(
      `select live_seat from tickets where live_seat like ? escape '!'`,
      [likePrefix(`${eventId}#${zoneId}#`)],
    );
    const seats = rows.map(({ live_seat }) => {
      const parts = live_seat.split('#');
      return { row: parts[parts.length - 2]!, column: Number(parts[parts.length - 1]) };
    });
    seats.sort((a, b) => (a.row === b.row ? a.column - b.column : a.row < b.row ? -1 : 1));
    return { eventId, zoneId, ...size, taken: seats.map((s) => `${s.row}${s.column}`) };
  }

  private async zoneSize(eventId: string, zoneId: number): Promise<ZoneSize | undefined> {
    const key = `${eventId}#${zoneId}`;
    const cached = this.sizes.get(key);
    if (cached !== undefined) return cached;
    const [row] = await this.orm.em.fork().execute<{ row_count: number; col_count: number }[]>(
      `select z.row_count, z.col_count from events e
       join zones z on z.venue_id = e.venue_id and z.zone_id = ?
       where e.event_id = ?`,
      [zoneId, eventId],
    );
    if (row === undefined) return undefined;
    const size = { rows: Number(row.row_count), columns: Number(row.col_count) };
    if (this.sizes.size >= SIZE_CACHE_LIMIT) this.sizes.clear();
    this.sizes.set(key, size);
    return size;
  }
}

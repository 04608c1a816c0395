import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { MikroORM } from '@mikro-orm/mysql';
import { READ_MODEL_ORM } from '../read-model-orm';
import { SalesByEventQuery, type EventSales, type ZoneSales } from './sales-by-event.query';

// Money is summed in cents: DECIMAL sums arrive as strings, and adding floats would drift.
const toCents = (decimal: string | number): number => Math.round(Number(decimal) * 100);

@QueryHandler(SalesByEventQuery)
export class SalesByEventHandler implements IQueryHandler<SalesByEventQuery, EventSales | undefined> {
  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  /**
   * An event is known once upserted or once one of its tickets was projected (the projection creates its row),
   * so "no events row" means neither: 404. The totals come from the covering index (event_id, status, zone_id, price).
   */
  async execute({ eventId }: SalesByEventQuery): Promise<EventSales | undefined> {
    const em = this.orm.em.fork();
    const [event] = await em.execute<{ venue_id: string }[]>('select venue_id from events where event_id = ?', [
      eventId,
    ]);
    if (event === undefined) return undefined;
    const [sold, zones] = await Promise.all([
      em.execute<{ zone_id: number; sold: number | string; revenue: string }[]>(
        `select zone_id, count(*) as sold, sum(price) as revenue from tickets
         where event_id = ? and status = 'RESERVED' group by zone_id`,
        [eventId],
      ),
      em.execute<{ zone_id: number }[]>('select zone_id from zones where venue_id = ?', [event.venue_id]),
    ]);
    const byZone = new Map<number, { sold: number; cents: number }>();
    for (const z of zones) byZone.set(Number(z.zone_id), { sold: 0, cents: 0 });
    // A zone missing from the catalog still counts: the tickets are facts, the catalog may lag.
    for (const z of sold) byZone.set(Number(z.zone_id), { sold: Number(z.sold), cents: toCents(z.revenue) });
    const result: ZoneSales[] = [...byZone]
      .sort(([a], [b]) => a - b)
      .map(([zoneId, z]) => ({ zoneId, sold: z.sold, revenue: z.cents / 100 }));
    const totalCents = [...byZone.values()].reduce((sum, z) => sum + z.cents, 0);
    return {
      eventId,
      venueId: event.venue_id,
      ticketsSold: result.reduce((sum, z) => sum + z.sold, 0),
      revenue: totalCents / 100,
      zones: result,
    };
  }
}

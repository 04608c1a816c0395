import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { MikroORM } from '@mikro-orm/mysql';
import { READ_MODEL_ORM } from '../read-model-orm';
import { TICKET_VIEW_COLUMNS, toTicketView, type TicketViewRow } from '../ticket.view';
import { ListEventTicketsQuery, type TicketPage } from './list-event-tickets.query';

@QueryHandler(ListEventTicketsQuery)
export class ListEventTicketsHandler implements IQueryHandler<ListEventTicketsQuery, TicketPage | undefined> {
  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  /** Served by (event_id, ticket_id), or (event_id, zone_id, ticket_id) with a zone: a range scan of limit + 1 rows. */
  async execute(query: ListEventTicketsQuery): Promise<TicketPage | undefined> {
    const em = this.orm.em.fork();
    const where = ['event_id = ?'];
    const params: (string | number)[] = [query.eventId];
    if (query.zoneId !== undefined) {
      where.push('zone_id = ?');
      params.push(query.zoneId);
    }
    if (query.afterTicketId !== undefined) {
      where.push('ticket_id > ?');
      params.push(query.afterTicketId);
    }
    const rows = await em.execute<TicketViewRow[]>(
      `select ${TICKET_VIEW_COLUMNS} from tickets where ${where.join(' and ')} order by ticket_id limit ?`,
      [...params, query.limit + 1],
    );
    if (rows.length === 0 && query.afterTicketId === undefined) {
      const [event] = await em.execute('select 1 from events where event_id = ?', [query.eventId]);
      if (event === undefined) return undefined;
    }
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    return { tickets: page.map(toTicketView), nextAfter: more ? page[page.length - 1]!.ticket_id : null };
  }
}

import type { MikroORM } from '@mikro-orm/mysql';
import { TICKET_VIEW_COLUMNS, toTicketView, type TicketView, type TicketViewRow } from './ticket.view';

const DELETE_CHUNK = 5000;

/** Every ticket of an event, live and cancelled, in ticket id order: for verifying the read model against the write store. */
export async function listEventTickets(orm: MikroORM, eventId: string): Promise<TicketView[]> {
  const rows = await orm.em
    .fork()
    .execute<TicketViewRow[]>(`select ${TICKET_VIEW_COLUMNS} from tickets where event_id = ? order by ticket_id`, [
      eventId,
    ]);
  return rows.map(toTicketView);
}

/**
 * Deletes an event's tickets before a rebuild replays them; returns how many went. In chunks, so a large event
 * never holds one long transaction's locks against the running projection.
 */
export async function deleteEventTickets(orm: MikroORM, eventId: string): Promise<number> {
  const em = orm.em.fork();
  let deleted = 0;
  for (;;) {
    const result = await em.execute<{ affectedRows: number }>(
      'delete from tickets where event_id = ? limit ?',
      [eventId, DELETE_CHUNK],
      'run',
    );
    deleted += result.affectedRows;
    if (result.affectedRows < DELETE_CHUNK) return deleted;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DeadlockException, IsolationLevel, LockWaitTimeoutException } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import type { Catalog, SaleEvent } from '../catalog/catalog.schema';
import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketRefundedData } from '../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import { READ_MODEL_ORM } from './read-model-orm';
import { toSqlDateTime } from './sql-datetime';

/** The reason of a reservation the projection stored as cancelled because its seat already had a live ticket. */
export const SEAT_ALREADY_SOLD = 'SEAT_ALREADY_SOLD';

const RESERVED_PIPELINE = 'ticket-reserved';
const CANCELLED_PIPELINE = 'ticket-cancelled';
const REFUNDED_PIPELINE = 'ticket-refunded';

/** Rows per INSERT statement: ~150 bytes a row keeps a statement far below max_allowed_packet. */
const CHUNK = 1000;
/** Concurrent batches touching the same index ranges can deadlock; InnoDB rolls one back, which is retried. */
const MAX_ATTEMPTS = 5;
const KNOWN_EVENTS_LIMIT = 10_000;

const TICKET_COLUMNS =
  'ticket_id, venue_id, event_id, zone_id, seat_row, seat_col, price, status, reason, created_on, cancelled_on, projected_at';
const TICKET_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

type TicketRow = [
  string,
  string,
  string,
  number,
  string,
  number,
  number,
  'RESERVED' | 'CANCELLED' | 'REFUNDED',
  string | null,
  string,
  string | null,
  string,
];

/** A tickets row in TICKET_COLUMNS order. */
function ticketRow(
  t: TicketReservedData,
  status: 'RESERVED' | 'CANCELLED' | 'REFUNDED',
  reason: string | null,
  cancelledOn: string | null,
  projectedAt: string,
): TicketRow {
  return [
    t.ticketId,
    t.venueId,
    t.eventId,
    t.zoneId,
    t.row,
    t.column,
    t.price,
    status,
    reason,
    toSqlDateTime(t.createdOn),
    cancelledOn,
    projectedAt,
  ];
}

interface LiveSeat {
  event_id: string;
  zone_id: number;
  seat_row: string;
  seat_col: number;
}

const chunks = <T>(items: readonly T[]): T[][] => {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
};

const placeholders = (count: number, one: string): string => Array.from({ length: count }, () => one).join(', ');

/** One ticket per id (the first seen), in id order: concurrent batches then lock shared rows in the same order. */
function distinctById<T extends TicketReservedData>(tickets: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const ticket of tickets) if (!byId.has(ticket.ticketId)) byId.set(ticket.ticketId, ticket);
  return [...byId.values()].sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));
}

function newestCreatedOn(tickets: readonly TicketReservedData[]): string {
  return toSqlDateTime(new Date(Math.max(...tickets.map((t) => Date.parse(t.createdOn)))));
}

/**
 * Keeps the MySQL read model in step with the ticket facts. Every method is idempotent, so the consumer may
 * redeliver a batch after a crash; each batch is one transaction together with its checkpoint, and a database
 * failure throws (the consumer retries the batch).
 *
 * Rules, whatever the order messages arrive in:
 * - a ticket id is stored once; a redelivered reservation or cancellation changes nothing;
 * - a cancellation of a ticket not seen yet stores it CANCELLED, and its reservation arriving later does not
 *   bring it back;
 * - a reservation whose seat already holds another live ticket is stored CANCELLED with SEAT_ALREADY_SOLD and
 *   no `cancelled_on` (the projection's own, provisional decision): the `live_seat` unique key is never
 *   violated, so a batch never fails on it. When the write store later cancels the live ticket, the oldest
 *   such provisional ticket of that seat becomes the live one (the write store kept it);
 * - a refund makes its ticket REFUNDED whatever arrived before (a refund of a ticket not seen yet stores it
 *   REFUNDED, and its reservation arriving later changes nothing), except a write-store cancellation, which
 *   wins: the write store ignores the refund of a ticket it refused. The freed seat's oldest provisional
 *   ticket becomes live (a resale projected before the refund that made room for it).
 */
@Injectable()
export class TicketProjection {
  /** Events known to have a row: skips the existence check on the hot path. Rows are never deleted. */
  private readonly knownEvents = new Set<string>();

  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  async applyReserved(tickets: readonly TicketReservedData[]): Promise<void> {
    if (tickets.length === 0) return;
    const batch = distinctById(tickets);
    await this.ensureEventRows(batch);
    await this.inTransaction(async (em) => {
      const projectedAt = toSqlDateTime(new Date());
      const row = (t: TicketReservedData, status: 'RESERVED' | 'CANCELLED'): TicketRow =>
        ticketRow(t, status, status === 'CANCELLED' ? SEAT_ALREADY_SOLD : null, null, projectedAt);
      // A duplicate key (the ticket exists, or its seat is live with another ticket) leaves the row that is
      // there untouched and skips this one; the skipped ones are told apart below.
      for (const part of chunks(batch)) {
        await em.execute(
          `insert into tickets (${TICKET_COLUMNS}) values ${placeholders(part.length, TICKET_PLACEHOLDERS)}
           on duplicate key update ticket_id = ticket_id`,
          part.flatMap((t) => row(t, 'RESERVED')),
          'run',
        );
      }
      const present = new Set<string>();
      for (const part of chunks(batch)) {
        const rows = await em.execute<{ ticket_id: string }[]>(
          `select ticket_id from tickets where ticket_id in (${placeholders(part.length, '?')})`,
          part.map((t) => t.ticketId),
        );
        for (const r of rows) present.add(r.ticket_id);
      }
      // Not there: its seat belongs to another live ticket. Stored cancelled, so the fact is not lost.
      const refused = batch.filter((t) => !present.has(t.ticketId));
      for (const part of chunks(refused)) {
        await em.execute(
          `insert into tickets (${TICKET_COLUMNS}) values ${placeholders(part.length, TICKET_PLACEHOLDERS)}
           on duplicate key update ticket_id = ticket_id`,
          part.flatMap((t) => row(t, 'CANCELLED')),
          'run',
        );
      }
      await this.advanceCheckpoint(em, RESERVED_PIPELINE, tickets);
    });
  }

  async applyCancelled(tickets: readonly TicketCancelledData[]): Promise<void> {
    if (tickets.length === 0) return;
    const batch = distinctById(tickets);
    await this.ensureEventRows(batch);
    await this.inTransaction(async (em) => {
      const projectedAt = toSqlDateTime(new Date());
      // The seats these cancellations free: a provisional SEAT_ALREADY_SOLD ticket may be their real owner.
      const freed: LiveSeat[] = [];
      for (const part of chunks(batch)) {
        freed.push(
          ...(await em.execute<LiveSeat[]>(
            `select event_id, zone_id, seat_row, seat_col from tickets
             where ticket_id in (${placeholders(part.length, '?')}) and status = 'RESERVED' for update`,
            part.map((t) => t.ticketId),
          )),
        );
      }
      for (const part of chunks(batch)) {
        await em.execute(
          `insert into tickets (${TICKET_COLUMNS}) values ${placeholders(part.length, TICKET_PLACEHOLDERS)}
           on duplicate key update status = 'CANCELLED', reason = values(reason),
             cancelled_on = values(cancelled_on), projected_at = values(projected_at)`,
          part.flatMap((t) => ticketRow(t, 'CANCELLED', t.reason, toSqlDateTime(t.cancelledOn), projectedAt)),
          'run',
        );
      }
      for (const seat of freed) await this.promoteProvisionalOwner(em, seat, projectedAt);
      await this.advanceCheckpoint(em, CANCELLED_PIPELINE, tickets);
    });
  }

  async applyRefunded(refunds: readonly TicketRefundedData[]): Promise<void> {
    if (refunds.length === 0) return;
    const batch = distinctById(refunds);
    await this.ensureEventRows(batch);
    await this.inTransaction(async (em) => {
      const projectedAt = toSqlDateTime(new Date());
      const freed: LiveSeat[] = [];
      for (const part of chunks(batch)) {
        freed.push(
          ...(await em.execute<LiveSeat[]>(
            `select event_id, zone_id, seat_row, seat_col from tickets
             where ticket_id in (${placeholders(part.length, '?')}) and status = 'RESERVED' for update`,
            part.map((t) => t.ticketId),
          )),
        );
      }
      // Assignments run left to right and see the columns already assigned: status is decided last, from
      // the row as it was. A provisional cancellation (cancelled_on null) was only the projection's guess.
      const keep = "status = 'CANCELLED' and cancelled_on is not null";
      for (const part of chunks(batch)) {
        await em.execute(
          `insert into tickets (${TICKET_COLUMNS}, refunded_on)
           values ${placeholders(part.length, '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}
           on duplicate key update
             reason = if(${keep}, reason, values(reason)),
             refunded_on = if(${keep}, refunded_on, values(refunded_on)),
             projected_at = if(${keep}, projected_at, values(projected_at)),
             status = if(${keep}, status, 'REFUNDED')`,
          part.flatMap((t) => [
            ...ticketRow(t, 'REFUNDED', t.reason ?? null, null, projectedAt),
            toSqlDateTime(t.refundedOn),
          ]),
          'run',
        );
      }
      for (const seat of freed) await this.promoteProvisionalOwner(em, seat, projectedAt);
      await this.advanceCheckpoint(em, REFUNDED_PIPELINE, refunds);
    });
  }

  /** Creates or completes events (the worker calls it for every event opened, and at start-up for the catalog's). */
  async upsertEvents(events: readonly SaleEvent[]): Promise<void> {
    if (events.length === 0) return;
    const em = this.orm.em.fork();
    for (const part of chunks(events)) {
      await em.execute(
        `insert into events (event_id, venue_id, name, type, date) values ${placeholders(part.length, '(?, ?, ?, ?, ?)')}
         on duplicate key update venue_id = values(venue_id), name = values(name), type = values(type),
           date = values(date)`,
        part.flatMap((e) => [e.eventId, e.venueId, e.name, e.type, toSqlDateTime(e.date)]),
        'run',
      );
    }
    for (const event of events) this.rememberEvent(event.eventId);
  }

  /** Upserts the catalog's venues, zones and events: run by the worker at start-up, harmless to repeat. */
  async seedCatalog(catalog: Catalog): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await em.execute(
        `insert into venues (venue_id, city) values ${placeholders(catalog.venues.length, '(?, ?)')}
         on duplicate key update city = values(city)`,
        catalog.venues.flatMap((v) => [v.venueId, v.city]),
        'run',
      );
      const zones = catalog.venues.flatMap((v) => v.zones.map((z) => ({ venueId: v.venueId, ...z })));
      for (const part of chunks(zones)) {
        await em.execute(
          `insert into zones (venue_id, zone_id, ticket_price, row_count, col_count)
           values ${placeholders(part.length, '(?, ?, ?, ?, ?)')}
           on duplicate key update ticket_price = values(ticket_price), row_count = values(row_count),
             col_count = values(col_count)`,
          part.flatMap((z) => [z.venueId, z.zoneId, z.ticketPrice, z.rowCount, z.colCount]),
          'run',
        );
      }
    });
    await this.upsertEvents(catalog.events);
  }

  /**
   * Tickets may arrive before their event: a row with the venue only keeps the queries answering (name, type
   * and date stay null until upsertEvents). Outside the batch's transaction, so it holds no lock on the
   * event row that concurrent batches of the same event would queue behind.
   */
  private async ensureEventRows(tickets: readonly TicketReservedData[]): Promise<void> {
    const venueOf = new Map<string, string>();
    for (const t of tickets) if (!this.knownEvents.has(t.eventId)) venueOf.set(t.eventId, t.venueId);
    if (venueOf.size === 0) return;
    const em = this.orm.em.fork();
    const existing = await em.execute<{ event_id: string }[]>(
      `select event_id from events where event_id in (${placeholders(venueOf.size, '?')})`,
      [...venueOf.keys()],
    );
    for (const { event_id } of existing) {
      venueOf.delete(event_id);
      this.rememberEvent(event_id);
    }
    if (venueOf.size === 0) return;
    await em.execute(
      `insert into events (event_id, venue_id) values ${placeholders(venueOf.size, '(?, ?)')}
       on duplicate key update event_id = event_id`,
      [...venueOf].flat(),
      'run',
    );
    for (const eventId of venueOf.keys()) this.rememberEvent(eventId);
  }

  private rememberEvent(eventId: string): void {
    if (this.knownEvents.size >= KNOWN_EVENTS_LIMIT) this.knownEvents.clear();
    this.knownEvents.add(eventId);
  }

  /** `update ignore`: should another live ticket have taken the seat meanwhile, the seat keeps it. */
  private async promoteProvisionalOwner(em: EntityManager, seat: LiveSeat, projectedAt: string): Promise<void> {
    const [candidate] = await em.execute<{ ticket_id: string }[]>(
      `select ticket_id from tickets
       where event_id = ? and zone_id = ? and seat_row = ? and seat_col = ?
         and status = 'CANCELLED' and reason = ? and cancelled_on is null
       order by created_on, ticket_id limit 1 for update`,
      [seat.event_id, seat.zone_id, seat.seat_row, seat.seat_col, SEAT_ALREADY_SOLD],
    );
    if (candidate === undefined) return;
    await em.execute(
      `update ignore tickets set status = 'RESERVED', reason = null, projected_at = ? where ticket_id = ?`,
      [projectedAt, candidate.ticket_id],
      'run',
    );
  }

  /** Last statement of the transaction: the checkpoint row is shared by every batch, so its lock is held briefly. */
  private async advanceCheckpoint(
    em: EntityManager,
    pipeline: string,
    tickets: readonly TicketReservedData[],
  ): Promise<void> {
    const now = toSqlDateTime(new Date());
    await em.execute(
      `insert into projection_checkpoints (pipeline, last_message_at, last_created_on, events_applied, updated_at)
       values (?, ?, ?, ?, ?)
       on duplicate key update
         last_message_at = greatest(coalesce(last_message_at, values(last_message_at)), values(last_message_at)),
         last_created_on = greatest(coalesce(last_created_on, values(last_created_on)), values(last_created_on)),
         events_applied = events_applied + values(events_applied),
         updated_at = values(updated_at)`,
      [pipeline, now, newestCreatedOn(tickets), tickets.length, now],
      'run',
    );
  }

  /**
   * READ COMMITTED: the batch's checks must see what concurrent batches committed, and InnoDB takes no gap
   * locks at this level, which keeps concurrent inserts from deadlocking on index ranges. A deadlock or lock
   * timeout that still happens rolls the whole batch back, so retrying it is safe.
   */
  private async inTransaction(work: (em: EntityManager) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.orm.em.fork().transactional(work, { isolationLevel: IsolationLevel.READ_COMMITTED });
        return;
      } catch (error) {
        const transient = error instanceof DeadlockException || error instanceof LockWaitTimeoutException;
        if (!transient || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(Math.floor(Math.random() * 20 * attempt));
      }
    }
  }
}

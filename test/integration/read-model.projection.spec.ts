import type { MikroORM } from '@mikro-orm/mysql';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { deleteEventTickets, listEventTickets } from '../../src/read-model/event-tickets.maintenance';
import { SEAT_ALREADY_SOLD, TicketProjection } from '../../src/read-model/ticket.projection';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { cancelledTicket, reservedTicket } from '../support/tickets';
import { freshEventId, TEST_CATALOG_FILE } from '../support/test-config';

interface StoredTicket {
  ticket_id: string;
  status: string;
  reason: string | null;
  cancelled_on: string | null;
  live_seat: string | null;
  projected_at: string;
}

describe('TicketProjection against MySQL', () => {
  const mysqlUrl = throwawayMysqlUrl();
  let orm: MikroORM;
  let projection: TicketProjection;

  const stored = (eventId: string) =>
    orm.em
      .fork()
      .execute<StoredTicket[]>(
        'select ticket_id, status, reason, cancelled_on, live_seat, projected_at from tickets where event_id = ? order by ticket_id',
        [eventId],
      );
  const storedById = async (eventId: string) => new Map((await stored(eventId)).map((t) => [t.ticket_id, t]));

  beforeAll(async () => {
    orm = await migratedDatabase(mysqlUrl);
    projection = new TicketProjection(orm);
    await projection.seedCatalog(loadCatalog(TEST_CATALOG_FILE));
  });
  afterAll(async () => {
    await orm.close(true);
    await dropDatabase(mysqlUrl);
  });

  it('seeds venues and zones from the catalog, and seeding twice changes nothing', async () => {
    await projection.seedCatalog(loadCatalog(TEST_CATALOG_FILE));
    const em = orm.em.fork();
    expect(await em.execute('select venue_id, city from venues order by venue_id')).toEqual([
      { venue_id: 'Arena', city: 'Calgary' },
      { venue_id: 'TinyHall', city: 'Victoria' },
      { venue_id: 'Venue1', city: 'Vancouver' },
    ]);
    expect(
      await em.execute("select zone_id, ticket_price, row_count, col_count from zones where venue_id = 'TinyHall'"),
    ).toEqual([
      { zone_id: 1, ticket_price: '50.00', row_count: 2, col_count: 2 },
      { zone_id: 2, ticket_price: '25.00', row_count: 1, col_count: 3 },
    ]);
  });

  it('projects a batch once: the same batch again leaves the same rows', async () => {
    const eventId = freshEventId('rm');
    const batch = [1, 2, 3].map((column) => reservedTicket(eventId, { column }));
    await projection.applyReserved(batch);
    const first = await stored(eventId);
    await projection.applyReserved([...batch, batch[0]!]);
    expect(await stored(eventId)).toEqual(first);
    expect(first.map((t) => t.status)).toEqual(['RESERVED', 'RESERVED', 'RESERVED']);
    const views = await listEventTickets(orm, eventId);
    expect(views).toHaveLength(3);
    const original = batch.find((t) => t.ticketId === views[0]!.ticketId)!;
    expect(views[0]).toEqual({ ...original, status: 'RESERVED' });
  });

  it('a cancellation after the reservation cancels the ticket and frees the seat', async () => {
    const eventId = freshEventId('rm');
    const ticket = reservedTicket(eventId);
    await projection.applyReserved([ticket]);
    await projection.applyCancelled([cancelledTicket(ticket, 'WRITE_STORE_REFUSED')]);
    await projection.applyCancelled([cancelledTicket(ticket, 'WRITE_STORE_REFUSED')]);
    const [row] = await stored(eventId);
    expect(row).toMatchObject({ status: 'CANCELLED', reason: 'WRITE_STORE_REFUSED', live_seat: null });
    const next = reservedTicket(eventId);
    await projection.applyReserved([next]);
    expect((await storedById(eventId)).get(next.ticketId)).toMatchObject({ status: 'RESERVED' });
  });

  it('a cancellation before the reservation stores the ticket cancelled, and the late reservation does not revive it', async () => {
    const eventId = freshEventId('rm');
    const ticket = reservedTicket(eventId);
    await projection.applyCancelled([cancelledTicket(ticket, 'WRITE_STORE_REFUSED')]);
    await projection.applyReserved([ticket]);
    expect(await stored(eventId)).toEqual([
      expect.objectContaining({ ticket_id: ticket.ticketId, status: 'CANCELLED', reason: 'WRITE_STORE_REFUSED' }),
    ]);
    const views = await listEventTickets(orm, eventId);
    expect(views[0]).toMatchObject({ status: 'CANCELLED', reason: 'WRITE_STORE_REFUSED', price: 100 });
  });

  it('stores a reservation for a seat with a live ticket as CANCELLED SEAT_ALREADY_SOLD, without failing the batch', async () => {
    const eventId = freshEventId('rm');
    const owner = reservedTicket(eventId, { row: 'B', column: 7 });
    await projection.applyReserved([owner]);
    const intruder = reservedTicket(eventId, { row: 'B', column: 7 });
    const others = [8, 9].map((column) => reservedTicket(eventId, { row: 'B', column }));
    // Two new tickets for one seat inside a single batch as well.
    const twinA = reservedTicket(eventId, { row: 'C', column: 1 });
    const twinB = reservedTicket(eventId, { row: 'C', column: 1 });
    await projection.applyReserved([intruder, ...others, twinA, twinB]);
    const rows = await storedById(eventId);
    expect(rows.get(owner.ticketId)).toMatchObject({ status: 'RESERVED', live_seat: `${eventId}#1#B#7` });
    expect(rows.get(intruder.ticketId)).toMatchObject({
      status: 'CANCELLED',
      reason: SEAT_ALREADY_SOLD,
      live_seat: null,
    });
    for (const t of others) expect(rows.get(t.ticketId)).toMatchObject({ status: 'RESERVED' });
    const twins = [rows.get(twinA.ticketId)!, rows.get(twinB.ticketId)!];
    expect(twins.map((t) => t.status).sort()).toEqual(['CANCELLED', 'RESERVED']);
  });

  it('when the write store cancels the live ticket, the ticket the projection held back becomes the live one', async () => {
    const eventId = freshEventId('rm');
    const first = reservedTicket(eventId, { row: 'D', column: 3 });
    const second = reservedTicket(eventId, { row: 'D', column: 3 });
    await projection.applyReserved([first]);
    await projection.applyReserved([second]);
    // The write store kept `second` and refused `first`.
    await projection.applyCancelled([cancelledTicket(first, 'SEAT_OWNED_BY_ANOTHER_TICKET')]);
    const rows = await storedById(eventId);
    expect(rows.get(first.ticketId)).toMatchObject({ status: 'CANCELLED', reason: 'SEAT_OWNED_BY_ANOTHER_TICKET' });
    expect(rows.get(second.ticketId)).toMatchObject({ status: 'RESERVED', reason: null });
  });

  it('projects tickets of an event it has never heard of, and upsertEvents completes the event later', async () => {
    const eventId = freshEventId('rm');
    await projection.applyReserved([reservedTicket(eventId)]);
    const em = orm.em.fork();
    expect(await em.execute('select venue_id, name, type, date from events where event_id = ?', [eventId])).toEqual([
      { venue_id: 'Arena', name: null, type: null, date: null },
    ]);
    await projection.upsertEvents([
      { eventId, venueId: 'Arena', name: 'Finals', type: 'hockey', date: '2027-03-01T19:30:00-07:00' },
    ]);
    expect(await em.execute('select venue_id, name, type, date from events where event_id = ?', [eventId])).toEqual([
      { venue_id: 'Arena', name: 'Finals', type: 'hockey', date: '2027-03-02 02:30:00.000' },
    ]);
  });

  it('advances the checkpoint of each pipeline in the batch transaction', async () => {
    const eventId = freshEventId('rm');
    const em = orm.em.fork();
    const before = await em.execute<{ pipeline: string; events_applied: string | number }[]>(
      'select pipeline, events_applied from projection_checkpoints',
    );
    const applied = (rows: typeof before, pipeline: string) =>
      Number(rows.find((r) => r.pipeline === pipeline)?.events_applied ?? 0);
    const createdOn = new Date(Date.now() + 60_000);
    const tickets = [1, 2].map((column) => reservedTicket(eventId, { column, createdOn: createdOn.toISOString() }));
    await projection.applyReserved(tickets);
    await projection.applyCancelled([cancelledTicket(tickets[0]!)]);
    const after = await em.execute<
      { pipeline: string; events_applied: string | number; last_created_on: string; updated_at: string }[]
    >('select pipeline, events_applied, last_created_on, updated_at from projection_checkpoints');
    expect(applied(after, 'ticket-reserved') - applied(before, 'ticket-reserved')).toBe(2);
    expect(applied(after, 'ticket-cancelled') - applied(before, 'ticket-cancelled')).toBe(1);
    expect(after.find((r) => r.pipeline === 'ticket-reserved')!.last_created_on).toBe(
      createdOn.toISOString().slice(0, 23).replace('T', ' '),
    );
  });

  it('deleteEventTickets removes one event only', async () => {
    const eventId = freshEventId('rm');
    const other = freshEventId('rm');
    await projection.applyReserved([1, 2, 3].map((column) => reservedTicket(eventId, { column })));
    await projection.applyReserved([reservedTicket(other)]);
    expect(await deleteEventTickets(orm, eventId)).toBe(3);
    expect(await listEventTickets(orm, eventId)).toEqual([]);
    expect(await listEventTickets(orm, other)).toHaveLength(1);
  });

  it('measures sequential batches of 500 new tickets', async () => {
    const eventId = freshEventId('rm-seq');
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 500 }, (_, i) => {
        const seat = b * 500 + i;
        return reservedTicket(eventId, {
          zoneId: 1 + Math.floor(seat / 10_400),
          row: rowOf(seat),
          column: colOf(seat),
        });
      }),
    );
    const started = performance.now();
    for (const batch of batches) await projection.applyReserved(batch);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `projection, sequential: 20 x 500 new tickets in ${seconds.toFixed(2)} s = ${Math.round(10_000 / seconds)} rows/s`,
    );
    expect(await listEventTickets(orm, eventId)).toHaveLength(10_000);
  });

  it('10 concurrent batches of 500 with overlapping duplicates and contested seats: each ticket once, one live ticket per seat', async () => {
    const eventId = freshEventId('rm-conc');
    // 3000 distinct tickets on 2500 seats: 500 seats are contested by two different tickets.
    const pool: TicketReservedData[] = [];
    for (let seat = 0; seat < 2500; seat++) {
      pool.push(reservedTicket(eventId, { row: rowOf(seat), column: colOf(seat) }));
      if (seat % 5 === 0) pool.push(reservedTicket(eventId, { row: rowOf(seat), column: colOf(seat) }));
    }
    // Batch i takes 500 tickets starting at i * 300: neighbours share 200 tickets, so about 40% are duplicates.
    const batches = Array.from({ length: 10 }, (_, i) => pool.slice(i * 300, i * 300 + 500));
    const covered = new Map(batches.flat().map((t) => [t.ticketId, t]));
    const started = performance.now();
    await Promise.all(batches.map((batch) => projection.applyReserved(batch)));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `projection, 10 concurrent x 500 (${covered.size} distinct): ${seconds.toFixed(2)} s = ` +
        `${Math.round(5000 / seconds)} messages/s, ${Math.round(covered.size / seconds)} rows/s`,
    );

    const rows = await stored(eventId);
    expect(rows).toHaveLength(covered.size);
    expect(new Set(rows.map((r) => r.ticket_id))).toEqual(new Set(covered.keys()));
    const liveBySeat = new Map<string, number>();
    for (const r of rows) if (r.live_seat !== null) liveBySeat.set(r.live_seat, (liveBySeat.get(r.live_seat) ?? 0) + 1);
    const seats = new Set([...covered.values()].map((t) => `${t.eventId}#${t.zoneId}#${t.row}#${t.column}`));
    // Every seat that has a ticket has exactly one live ticket; the contested seats' others are SEAT_ALREADY_SOLD.
    expect(liveBySeat.size).toBe(seats.size);
    expect([...liveBySeat.values()].every((n) => n === 1)).toBe(true);
    const refused = rows.filter((r) => r.status === 'CANCELLED');
    expect(refused).toHaveLength(covered.size - seats.size);
    expect(refused.every((r) => r.reason === SEAT_ALREADY_SOLD)).toBe(true);
  });
});

const rowOf = (seat: number): string => String.fromCharCode(65 + (Math.floor(seat / 400) % 26));
const colOf = (seat: number): number => (seat % 400) + 1;

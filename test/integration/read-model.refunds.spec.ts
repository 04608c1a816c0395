import type { MikroORM } from '@mikro-orm/mysql';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { GetTicketHandler } from '../../src/read-model/get-ticket/get-ticket.handler';
import { GetTicketQuery } from '../../src/read-model/get-ticket/get-ticket.query';
import { SalesByEventHandler } from '../../src/read-model/sales-by-event/sales-by-event.handler';
import { SalesByEventQuery } from '../../src/read-model/sales-by-event/sales-by-event.query';
import { TicketProjection } from '../../src/read-model/ticket.projection';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { cancelledTicket, refundedTicket, reservedTicket } from '../support/tickets';
import { freshEventId, TEST_CATALOG_FILE } from '../support/test-config';

interface StoredTicket {
  ticket_id: string;
  status: string;
  reason: string | null;
  refunded_on: string | null;
  live_seat: string | null;
}

describe('TicketProjection refunds against MySQL: idempotent, in any order', () => {
  const mysqlUrl = throwawayMysqlUrl();
  let orm: MikroORM;
  let projection: TicketProjection;

  const storedById = async (eventId: string) =>
    new Map(
      (
        await orm.em
          .fork()
          .execute<StoredTicket[]>(
            'select ticket_id, status, reason, refunded_on, live_seat from tickets where event_id = ?',
            [eventId],
          )
      ).map((t) => [t.ticket_id, t]),
    );

  beforeAll(async () => {
    orm = await migratedDatabase(mysqlUrl);
    projection = new TicketProjection(orm);
    await projection.seedCatalog(loadCatalog(TEST_CATALOG_FILE));
  });
  afterAll(async () => {
    await orm.close(true);
    await dropDatabase(mysqlUrl);
  });

  it('refunds a reserved ticket once: REFUNDED with its time and reason, the seat free, sales and revenue without it', async () => {
    const eventId = freshEventId('rm-refund');
    const kept = reservedTicket(eventId, { column: 1, price: 100 });
    const sold = reservedTicket(eventId, { column: 2, price: 100 });
    await projection.applyReserved([kept, sold]);
    const refund = refundedTicket(sold, 'customer request');

    await projection.applyRefunded([refund]);
    await projection.applyRefunded([refund, refund]);

    const row = (await storedById(eventId)).get(sold.ticketId);
    expect(row).toMatchObject({ status: 'REFUNDED', reason: 'customer request', live_seat: null });
    expect(row?.refunded_on).not.toBeNull();
    const sales = await new SalesByEventHandler(orm).execute(new SalesByEventQuery(eventId));
    expect(sales).toMatchObject({ ticketsSold: 1, revenue: 100 });
    expect(await new GetTicketHandler(orm).execute(new GetTicketQuery(sold.ticketId))).toEqual({
      ...sold,
      status: 'REFUNDED',
      reason: 'customer request',
      refundedOn: refund.refundedOn,
    });
  });

  it('stores a refund that arrives before its reservation as REFUNDED, and the reservation then changes nothing', async () => {
    const eventId = freshEventId('rm-refund');
    const sold = reservedTicket(eventId);

    await projection.applyRefunded([refundedTicket(sold)]);
    await projection.applyReserved([sold]);

    expect((await storedById(eventId)).get(sold.ticketId)).toMatchObject({ status: 'REFUNDED', live_seat: null });
  });

  it('makes a resale projected before the refund that freed its seat live once the refund arrives', async () => {
    const eventId = freshEventId('rm-refund');
    const sold = reservedTicket(eventId);
    const resale = reservedTicket(eventId);
    await projection.applyReserved([sold]);
    await projection.applyReserved([resale]);
    expect((await storedById(eventId)).get(resale.ticketId)?.status).toBe('CANCELLED'); // provisional

    await projection.applyRefunded([refundedTicket(sold)]);

    const rows = await storedById(eventId);
    expect(rows.get(sold.ticketId)?.status).toBe('REFUNDED');
    expect(rows.get(resale.ticketId)).toMatchObject({ status: 'RESERVED', reason: null });
  });

  it('lets a write-store cancellation win over a refund, in either order (the write store ignores that refund)', async () => {
    const eventId = freshEventId('rm-refund');
    const first = reservedTicket(eventId, { column: 1 });
    const second = reservedTicket(eventId, { column: 2 });
    await projection.applyReserved([first, second]);

    await projection.applyRefunded([refundedTicket(first)]);
    await projection.applyCancelled([cancelledTicket(first, 'SEAT_ALREADY_SOLD:x')]);
    await projection.applyCancelled([cancelledTicket(second, 'SEAT_ALREADY_SOLD:y')]);
    await projection.applyRefunded([refundedTicket(second)]);

    const rows = await storedById(eventId);
    expect(rows.get(first.ticketId)).toMatchObject({ status: 'CANCELLED', reason: 'SEAT_ALREADY_SOLD:x' });
    expect(rows.get(second.ticketId)).toMatchObject({
      status: 'CANCELLED',
      reason: 'SEAT_ALREADY_SOLD:y',
      refunded_on: null,
    });
  });
});

import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../src/platform/config/app-config';
import { ConfigModule } from '../../src/platform/config/config.module';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { DYNAMODB, type DynamoClients } from '../../src/write-store/dynamodb.client';
import type { PersistOutcome, RefundOutcome } from '../../src/write-store/persist-outcome';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../../src/write-store/ticket-write-store.port';
import { WriteStoreModule } from '../../src/write-store/write-store.module';
import { reservedTicket } from '../support/tickets';
import { freshEventId, testConfig } from '../support/test-config';

@Module({ imports: [ConfigModule.forRoot(testConfig({ DYNAMODB_EMBEDDED: 'true' })), WriteStoreModule] })
class WriteStoreTestModule {}

const refundOf = (ticket: TicketReservedData): TicketRefundedData => ({
  ...ticket,
  refundedOn: new Date().toISOString(),
  reason: 'customer request',
});

/** The refunds Redis recorded (RedisSeatRefunds in the worker); a Map here, the store only reads it. */
class RefundRecords {
  readonly refunds = new Map<string, TicketRefundedData>();
  lookups = 0;
  find({ ticketId }: { ticketId: string }): Promise<TicketRefundedData | undefined> {
    this.lookups++;
    return Promise.resolve(this.refunds.get(ticketId));
  }
}

describe('the write store with refunds: the append at the expected version wins', () => {
  let app: INestApplicationContext;
  let store: TicketWriteStore;
  /** A second worker process on the same tables: its own in-flight map, so it races the first for real. */
  let otherWorker: TicketWriteStore;
  const records = new RefundRecords();

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(WriteStoreTestModule, { logger: ['error'] });
    app.enableShutdownHooks();
    store = app.get<TicketWriteStore>(TICKET_WRITE_STORE);
    otherWorker = new DynamoTicketWriteStore(app.get<DynamoClients>(DYNAMODB), app.get<AppConfig>(APP_CONFIG));
    store.useRefundLedger(records);
    otherWorker.useRefundLedger(records);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('ends reserved -> refunded -> reserved at versions 1, 2, 3 with one owner when 200 deliveries of the refund and the resale race', async () => {
    const eventId = freshEventId('ws-refund-race');
    const sold = reservedTicket(eventId, { row: 'C', column: 7 });
    expect(await store.persist([sold])).toEqual([{ ticketId: sold.ticketId, status: 'STORED' }]);
    // Redis refunded the ticket, then sold the seat again: both facts are on their way, in any order.
    const refund = refundOf(sold);
    records.refunds.set(sold.ticketId, refund);
    const resale = reservedTicket(eventId, { row: 'C', column: 7 });

    // Half the copies on each worker; refund and resale copies alternate.
    const refundOutcomes: RefundOutcome[] = [];
    const resaleOutcomes: PersistOutcome[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const worker = i % 4 < 2 ? store : otherWorker;
        if (i % 2 === 0) refundOutcomes.push(...(await worker.persistRefunds([refund])));
        else resaleOutcomes.push(...(await worker.persist([resale])));
      }),
    );

    const stream = await store.readSeatStream(eventId, 1, 'C', 7);
    expect(stream.map((e) => [e.version, e.type, e.ticketId])).toEqual([
      [1, 'TicketReserved', sold.ticketId],
      [2, 'TicketRefunded', sold.ticketId],
      [3, 'TicketReserved', resale.ticketId],
    ]);
    expect(refundOutcomes).toHaveLength(100);
    expect(refundOutcomes.every((o) => o.status === 'REFUNDED')).toBe(true);
    // The resale is never refused; each process that appended it or found it reports it once at most.
    expect(resaleOutcomes.some((o) => o.status === 'CANCELLED')).toBe(false);
    const storedReports = resaleOutcomes.filter((o) => o.status === 'STORED').length;
    expect(storedReports).toBeGreaterThanOrEqual(1);
    expect(storedReports).toBeLessThanOrEqual(2);

    const tickets = new Map((await store.listEventTickets(eventId)).map((t) => [t.ticketId, t]));
    expect(tickets.get(sold.ticketId)).toEqual(
      expect.objectContaining({ status: 'REFUNDED', refundedOn: refund.refundedOn, reason: 'customer request' }),
    );
    expect(tickets.get(resale.ticketId)?.status).toBe('RESERVED');
  });

  it('appends the refund Redis recorded before a resale that overtook it, asking the refund records once', async () => {
    const eventId = freshEventId('ws-resale-first');
    const sold = reservedTicket(eventId, { column: 2 });
    await store.persist([sold]);
    const lookups = records.lookups;
    records.refunds.set(sold.ticketId, refundOf(sold));
    const resale = reservedTicket(eventId, { column: 2 });

    expect(await otherWorker.persist([resale])).toEqual([{ ticketId: resale.ticketId, status: 'STORED' }]);
    expect(records.lookups).toBe(lookups + 1);
    expect(await store.persistRefunds([refundOf(sold)])).toEqual([{ ticketId: sold.ticketId, status: 'REFUNDED' }]);

    const stream = await store.readSeatStream(eventId, 1, 'A', 2);
    expect(stream.map((e) => [e.version, e.type, e.ticketId])).toEqual([
      [1, 'TicketReserved', sold.ticketId],
      [2, 'TicketRefunded', sold.ticketId],
      [3, 'TicketReserved', resale.ticketId],
    ]);
    // The refund on the stream is the one Redis recorded, not the copy delivered later.
    expect(stream[1]?.data).toEqual(records.refunds.get(sold.ticketId));
  });

  it('records a refund that overtook its reservation, and the reservation arriving later changes nothing', async () => {
    const eventId = freshEventId('ws-refund-first');
    const sold = reservedTicket(eventId);

    expect(await store.persistRefunds([refundOf(sold)])).toEqual([{ ticketId: sold.ticketId, status: 'REFUNDED' }]);
    expect(await store.persist([sold])).toEqual([{ ticketId: sold.ticketId, status: 'DUPLICATE' }]);

    const stream = await store.readSeatStream(eventId, 1, 'A', 1);
    expect(stream.map((e) => [e.version, e.type])).toEqual([
      [1, 'TicketReserved'],
      [2, 'TicketRefunded'],
    ]);
    expect((await store.listEventTickets(eventId)).map((t) => t.status)).toEqual(['REFUNDED']);
  });

  it('ignores a refund of a ticket it refused: nothing appended, the ticket stays CANCELLED and the owner keeps the seat', async () => {
    const eventId = freshEventId('ws-refund-cancelled');
    const owner = reservedTicket(eventId);
    const refused = reservedTicket(eventId);
    await store.persist([owner, refused]);

    expect(await store.persistRefunds([refundOf(refused)])).toEqual([
      { ticketId: refused.ticketId, status: 'IGNORED', reason: `SEAT_ALREADY_SOLD:${owner.ticketId}` },
    ]);

    expect((await store.readSeatStream(eventId, 1, 'A', 1)).map((e) => e.type)).toEqual([
      'TicketReserved',
      'TicketCancelled',
    ]);
    const statuses = new Map((await store.listEventTickets(eventId)).map((t) => [t.ticketId, t.status]));
    expect(statuses).toEqual(
      new Map([
        [owner.ticketId, 'RESERVED'],
        [refused.ticketId, 'CANCELLED'],
      ]),
    );
  });

  it('never lets a stale redelivery of a refunded reservation take the seat back', async () => {
    const eventId = freshEventId('ws-refund-stale');
    const sold = reservedTicket(eventId);
    await store.persist([sold]);
    await store.persistRefunds([refundOf(sold)]);

    expect(await otherWorker.persist([sold])).toEqual([{ ticketId: sold.ticketId, status: 'DUPLICATE' }]);

    const stream = await store.readSeatStream(eventId, 1, 'A', 1);
    expect(stream.map((e) => e.type)).toEqual(['TicketReserved', 'TicketRefunded']);
    expect((await store.listEventTickets(eventId)).map((t) => t.status)).toEqual(['REFUNDED']);
  });
});

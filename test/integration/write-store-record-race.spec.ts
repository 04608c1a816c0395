import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import type { DynamoItemClient, DynamoItemOperation } from '../../src/write-store/dynamo-sdk-item.client';
import { createDynamoClients, DynamoClients } from '../../src/write-store/dynamodb.client';
import { seatStreamId } from '../../src/write-store/seat-stream.decider';
import { TicketRecords } from '../../src/write-store/ticket-records';
import type { TicketCreation } from '../../src/write-store/ticket-write-store.port';
import { refundedTicket, reservedTicket } from '../support/tickets';
import { freshEventId } from '../support/test-config';

/**
 * An item client whose writes to one table wait until released, then go out as they were built: a worker
 * whose TicketCreation write is slow (a stalled connection, a long GC pause) while other workers move on.
 */
class HeldTableWrites implements DynamoItemClient {
  private readonly waiting: Array<() => void> = [];
  private heldOne: () => void = () => undefined;
  /** Resolves once a write is being held. */
  readonly held = new Promise<void>((resolve) => (this.heldOne = resolve));

  constructor(
    private readonly inner: DynamoItemClient,
    private readonly table: string,
  ) {}

  async call<T>(operation: DynamoItemOperation, input: object): Promise<T> {
    if (this.writesToTable(operation, input)) {
      const released = new Promise<void>((resolve) => this.waiting.push(resolve));
      this.heldOne();
      await released;
    }
    return this.inner.call<T>(operation, input);
  }

  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  destroy(): void {
    // The inner client belongs to the test's clients.
  }

  private writesToTable(operation: DynamoItemOperation, input: object): boolean {
    if (operation === 'PutItem') return (input as { TableName?: string }).TableName === this.table;
    if (operation === 'BatchWriteItem') return this.table in (input as { RequestItems: object }).RequestItems;
    return false;
  }
}

let prefixes = 0;

// Both item clients (DYNAMODB_CLIENT) must drop a stale TicketCreation the same way.
describe.each(['json', 'sdk'] as const)(
  'the TicketCreation only moves forward, whatever order the writes land in (%s client)',
  (itemClient) => {
    let server: DynaliteServer;
    let clients: DynamoClients;
    let prefix: string;
    /** The worker whose TicketCreation writes are held back. */
    let slowWorker: DynamoTicketWriteStore;
    let slowWrites: HeldTableWrites;
    /** Another worker process on the same tables. */
    let otherWorker: DynamoTicketWriteStore;

    beforeAll(async () => {
      server = await startDynalite();
      clients = createDynamoClients(server.endpoint, 'us-east-1', { itemClient });
    });
    afterAll(async () => {
      clients.destroy();
      await server.close();
    });
    beforeEach(async () => {
      prefix = `race${++prefixes}`;
      otherWorker = new DynamoTicketWriteStore(clients, { DYNAMODB_TABLE_PREFIX: prefix });
      await otherWorker.ensureTables();
      slowWrites = new HeldTableWrites(clients.json, otherWorker.ticketsTable);
      slowWorker = new DynamoTicketWriteStore(new DynamoClients(clients.sdk, slowWrites, clients.endpoint), {
        DYNAMODB_TABLE_PREFIX: prefix,
      });
    });
    afterEach(() => slowWrites.release());

    it('keeps REFUNDED when the reservation’s TicketCreation, derived before the refund, lands after it', async () => {
      const eventId = freshEventId('race-refund');
      const sold = reservedTicket(eventId, { row: 'B', column: 3 });
      const refund = refundedTicket(sold, 'customer request');

      // The reservation is appended, and its RESERVED TicketCreation is on its way, held.
      const reserving = slowWorker.persist([sold]);
      await slowWrites.held;
      // Meanwhile the refund reaches the other worker: appended after the reservation, REFUNDED written.
      expect(await otherWorker.persistRefunds([refund])).toEqual([{ ticketId: sold.ticketId, status: 'REFUNDED' }]);
      expect((await otherWorker.listEventTickets(eventId)).map((t) => t.status)).toEqual(['REFUNDED']);

      // Then the older write lands.
      slowWrites.release();
      expect(await reserving).toEqual([{ ticketId: sold.ticketId, status: 'STORED' }]);

      expect((await otherWorker.readSeatStream(eventId, 1, 'B', 3)).map((e) => [e.version, e.type])).toEqual([
        [1, 'TicketReserved'],
        [2, 'TicketRefunded'],
      ]);
      expect(await otherWorker.listEventTickets(eventId)).toEqual([
        expect.objectContaining({
          ticketId: sold.ticketId,
          status: 'REFUNDED',
          refundedOn: refund.refundedOn,
          reason: 'customer request',
        }),
      ]);
      // A redelivery of the reservation finds the record and changes nothing.
      expect(await otherWorker.persist([sold])).toEqual([{ ticketId: sold.ticketId, status: 'DUPLICATE' }]);
      expect((await otherWorker.listEventTickets(eventId)).map((t) => t.status)).toEqual(['REFUNDED']);
    });

    it('lets the refund’s REFUNDED replace the RESERVED TicketCreation when it lands last, after a resale', async () => {
      const eventId = freshEventId('race-resale');
      const sold = reservedTicket(eventId, { row: 'C', column: 1 });
      await otherWorker.persist([sold]);
      const refund = refundedTicket(sold);
      const resale = reservedTicket(eventId, { row: 'C', column: 1 });

      // The refund's REFUNDED write is held; the resale takes the freed seat on the other worker.
      const refunding = slowWorker.persistRefunds([refund]);
      await slowWrites.held;
      expect(await otherWorker.persist([resale])).toEqual([{ ticketId: resale.ticketId, status: 'STORED' }]);
      slowWrites.release();
      expect(await refunding).toEqual([{ ticketId: sold.ticketId, status: 'REFUNDED' }]);

      const statuses = new Map((await otherWorker.listEventTickets(eventId)).map((t) => [t.ticketId, t.status]));
      expect(statuses).toEqual(
        new Map([
          [sold.ticketId, 'REFUNDED'],
          [resale.ticketId, 'RESERVED'],
        ]),
      );
    });

    it('records the same tickets whatever order the writes of records derived from older and newer reads land in', async () => {
      const eventId = freshEventId('race-orders');
      const records = new TicketRecords(clients.json, otherWorker.ticketsTable);
      const reserved = (ticketId: string): TicketCreation => ({
        ...reservedTicket(eventId),
        ticketId,
        status: 'RESERVED',
      });
      const refunded = (ticketId: string): TicketCreation => ({
        ...reserved(ticketId),
        status: 'REFUNDED',
        refundedOn: new Date().toISOString(),
        reason: 'customer request',
      });
      // R: derived before the refund, F: after it; each ticket's writes land one after another in this order.
      const orders = ['RF', 'FR', 'FRR', 'RFR', 'FRFR', 'RRF'];
      const written = orders.map((order) => ({ order, ticketId: randomUUID() }));

      await Promise.all(
        written.map(async ({ order, ticketId }) => {
          for (const write of order) await records.write([write === 'R' ? reserved(ticketId) : refunded(ticketId)]);
        }),
      );

      const listed = await otherWorker.listEventTickets(eventId);
      expect(listed).toHaveLength(orders.length);
      const statuses = new Map(listed.map((t) => [t.ticketId, t.status]));
      expect(written.map(({ order, ticketId }) => [order, statuses.get(ticketId)])).toEqual(
        orders.map((order) => [order, 'REFUNDED']),
      );
      expect(listed.every((t) => t.reason === 'customer request')).toBe(true);
    });

    it('reads records written before refunds had items of their own, and refunds a ticket recorded then', async () => {
      const eventId = freshEventId('race-earlier-records');
      const refundedThen = reservedTicket(eventId, { row: 'D', column: 1 });
      const reservedThen = reservedTicket(eventId, { row: 'D', column: 2 });
      const refund = refundedTicket(refundedThen);
      // One item per ticket holding its state, as the write store wrote them before.
      for (const record of [
        { ...refundedThen, status: 'REFUNDED', refundedOn: refund.refundedOn },
        { ...reservedThen, status: 'RESERVED' },
      ]) {
        await clients.sdk.send(new PutItemCommand({ TableName: otherWorker.ticketsTable, Item: marshall(record) }));
      }
      const streamOf = (ticket: TicketReservedData) => seatStreamId(eventId, ticket.zoneId, ticket.row, ticket.column);
      const recordedAt = new Date().toISOString();
      for (const item of [
        { streamId: streamOf(refundedThen), version: 1, type: 'TicketReserved', data: refundedThen },
        { streamId: streamOf(refundedThen), version: 2, type: 'TicketRefunded', data: refund },
        { streamId: streamOf(reservedThen), version: 1, type: 'TicketReserved', data: reservedThen },
      ]) {
        await clients.sdk.send(
          new PutItemCommand({
            TableName: otherWorker.seatEventsTable,
            Item: marshall({ ...item, ticketId: item.data.ticketId, recordedAt }),
          }),
        );
      }

      expect(await otherWorker.persistRefunds([refundedTicket(reservedThen)])).toEqual([
        { ticketId: reservedThen.ticketId, status: 'REFUNDED' },
      ]);

      const statuses = new Map((await otherWorker.listEventTickets(eventId)).map((t) => [t.ticketId, t.status]));
      expect(statuses).toEqual(
        new Map([
          [refundedThen.ticketId, 'REFUNDED'],
          [reservedThen.ticketId, 'REFUNDED'],
        ]),
      );
      expect(await otherWorker.persist([refundedThen, reservedThen])).toEqual([
        { ticketId: refundedThen.ticketId, status: 'DUPLICATE' },
        { ticketId: reservedThen.ticketId, status: 'DUPLICATE' },
      ]);
    });
  },
);

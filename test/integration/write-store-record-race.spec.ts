import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import type { DynamoItemClient, DynamoItemOperation } from '../../src/write-store/dynamo-sdk-item.client';
import { createDynamoClients, DynamoClients } from '../../src/write-store/dynamodb.client';
import { seatStreamId } from '../../src/write-store/seat-stream.decider';
import { supersedes, type StoredTicketRecord, type TicketRecord } from '../../src/write-store/ticket-record.rule';
import { TicketRecords } from '../../src/write-store/ticket-records';
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
    return operation === 'PutItem' && (input as { TableName?: string }).TableName === this.table;
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

    const storedRecord = async (ticketId: string): Promise<Record<string, unknown> | undefined> => {
      const { Item } = await clients.sdk.send(
        new GetItemCommand({
          TableName: otherWorker.ticketsTable,
          Key: marshall({ ticketId }),
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : unmarshall(Item);
    };

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

    it('lets a refund replace a RESERVED TicketCreation written without a stream version', async () => {
      const eventId = freshEventId('race-legacy-reserved');
      const sold = reservedTicket(eventId, { row: 'D', column: 2 });
      await otherWorker.persist([sold]);
      // As records were written before they carried a version.
      await clients.sdk.send(
        new PutItemCommand({
          TableName: otherWorker.ticketsTable,
          Item: marshall({ ...sold, status: 'RESERVED' }),
        }),
      );

      expect(await otherWorker.persistRefunds([refundedTicket(sold)])).toEqual([
        { ticketId: sold.ticketId, status: 'REFUNDED' },
      ]);

      expect(await storedRecord(sold.ticketId)).toEqual(
        expect.objectContaining({ status: 'REFUNDED', streamVersion: 2 }),
      );
    });

    it('keeps a REFUNDED TicketCreation written without a stream version when an older RESERVED one lands', async () => {
      const eventId = freshEventId('race-legacy-refunded');
      const sold = reservedTicket(eventId, { row: 'E', column: 4 });
      const refund = refundedTicket(sold);

      const reserving = slowWorker.persist([sold]);
      await slowWrites.held;
      // A worker of the previous release records the refund: its item, then a record with no version.
      const recordedAt = new Date().toISOString();
      await clients.sdk.send(
        new PutItemCommand({
          TableName: otherWorker.seatEventsTable,
          Item: marshall({
            streamId: seatStreamId(eventId, 1, 'E', 4),
            version: 2,
            type: 'TicketRefunded',
            ticketId: sold.ticketId,
            data: refund,
            recordedAt,
          }),
        }),
      );
      await clients.sdk.send(
        new PutItemCommand({
          TableName: otherWorker.ticketsTable,
          Item: marshall({ ...sold, status: 'REFUNDED', refundedOn: refund.refundedOn }),
        }),
      );
      slowWrites.release();
      expect(await reserving).toEqual([{ ticketId: sold.ticketId, status: 'STORED' }]);

      expect(await storedRecord(sold.ticketId)).toEqual(expect.objectContaining({ status: 'REFUNDED' }));
    });

    it('puts a record exactly when the rule says it supersedes the stored one, for every pair of states', async () => {
      const eventId = freshEventId('race-rule');
      const sold = reservedTicket(eventId);
      const reserved = (streamVersion: number): TicketRecord => ({ ...sold, status: 'RESERVED', streamVersion });
      const cancelled = (streamVersion: number): TicketRecord => ({
        ...sold,
        status: 'CANCELLED',
        reason: 'SEAT_ALREADY_SOLD:other',
        cancelledOn: sold.createdOn,
        streamVersion,
      });
      const refunded = (streamVersion: number): TicketRecord => ({
        ...sold,
        status: 'REFUNDED',
        refundedOn: sold.createdOn,
        streamVersion,
      });
      const unversioned = ({ streamVersion: _version, ...record }: TicketRecord): StoredTicketRecord => record;
      const stored: (StoredTicketRecord | undefined)[] = [
        undefined,
        unversioned(reserved(1)),
        unversioned(cancelled(1)),
        unversioned(refunded(2)),
        reserved(1),
        reserved(3),
        cancelled(2),
        refunded(2),
        refunded(4),
      ];
      const incoming = [reserved(1), reserved(3), cancelled(2), refunded(2), refunded(4)];
      const records = new TicketRecords(clients.json, otherWorker.ticketsTable);

      const cases = stored.flatMap((before, i) =>
        incoming.map((record, j) => ({ before, record, ticketId: `${sold.ticketId}-${i}-${j}` })),
      );
      await Promise.all(
        cases.map(async ({ before, record, ticketId }) => {
          if (before !== undefined) {
            await clients.sdk.send(
              new PutItemCommand({ TableName: otherWorker.ticketsTable, Item: marshall({ ...before, ticketId }) }),
            );
          }
          await records.write([{ ...record, ticketId }]);
        }),
      );

      for (const { before, record, ticketId } of cases) {
        const expected = supersedes(record, before) ? record : before;
        expect([before, record, await storedRecord(ticketId)]).toEqual([before, record, { ...expected, ticketId }]);
      }
    });
  },
);

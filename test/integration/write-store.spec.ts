import 'reflect-metadata';
import { ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '../../src/platform/config/config.module';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { seatStreamId } from '../../src/write-store/seat-stream.decider';
import type { PersistOutcome } from '../../src/write-store/persist-outcome';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../../src/write-store/ticket-write-store.port';
import { EMBEDDED_DYNALITE, WriteStoreModule } from '../../src/write-store/write-store.module';
import { migrateWriteStore } from '../../src/write-store/migrate-write-store';
import { TestDynamo } from '../support/dynalite';
import { reservedTicket } from '../support/tickets';
import { ThrottlingProxy } from '../support/throttling-proxy';
import { freshEventId, testConfig } from '../support/test-config';

const statuses = (outcomes: PersistOutcome[]) => outcomes.map((o) => o.status);
const prefixOf = (s: DynamoTicketWriteStore) => s.seatEventsTable.replace(/-seat-events$/, '');

describe('DynamoDB write store on dynalite', () => {
  let dynamo: TestDynamo;
  let store: DynamoTicketWriteStore;
  let eventId: string;

  beforeAll(async () => {
    dynamo = await TestDynamo.start();
    store = await dynamo.freshStore();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(() => {
    eventId = freshEventId('ws');
  });

  it('creates its tables idempotently, also from concurrent callers', async () => {
    await store.ensureTables();
    await Promise.all([store.ensureTables(), store.ensureTables(), store.ensureTables()]);
    const { TableNames } = await dynamo.db.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining([store.seatEventsTable, store.ticketsTable]));
  });

  it('stores a ticket once: TicketReserved at version 1 of its seat stream and a RESERVED TicketCreation', async () => {
    const ticket = reservedTicket(eventId, { zoneId: 1, row: 'A', column: 1 });

    expect(await store.persist([ticket])).toEqual([{ ticketId: ticket.ticketId, status: 'STORED' }]);

    const { createdOn, ...rest } = ticket;
    expect(await store.listEventTickets(eventId)).toEqual([{ ...rest, createdOn, status: 'RESERVED' }]);
    const stream = await store.readSeatStream(eventId, 1, 'A', 1);
    expect(stream).toEqual([
      {
        streamId: seatStreamId(eventId, 1, 'A', 1),
        version: 1,
        type: 'TicketReserved',
        ticketId: ticket.ticketId,
        data: ticket,
        recordedAt: expect.any(String),
      },
    ]);
  });

  it('answers DUPLICATE to a redelivered ticket and changes nothing', async () => {
    const ticket = reservedTicket(eventId, { zoneId: 1, row: 'B', column: 2 });
    await store.persist([ticket]);
    const before = await store.readSeatStream(eventId, 1, 'B', 2);

    expect(await store.persist([ticket])).toEqual([{ ticketId: ticket.ticketId, status: 'DUPLICATE' }]);

    expect(await store.readSeatStream(eventId, 1, 'B', 2)).toEqual(before);
    expect(await store.listEventTickets(eventId)).toHaveLength(1);
  });

  it('stores a ticket delivered 20 times at once exactly once and answers DUPLICATE to the 19 others', async () => {
    const ticket = reservedTicket(eventId, { zoneId: 2, row: 'C', column: 3 });

    const outcomes = (await Promise.all(Array.from({ length: 20 }, () => store.persist([ticket])))).flat();

    expect(statuses(outcomes).sort()).toEqual([...Array<string>(19).fill('DUPLICATE'), 'STORED']);
    expect(await store.readSeatStream(eventId, 2, 'C', 3)).toHaveLength(1);
    expect(await store.listEventTickets(eventId)).toEqual([expect.objectContaining({ status: 'RESERVED' })]);
  });

  it('stores copies of one ticket within a single batch once', async () => {
    const ticket = reservedTicket(eventId, { zoneId: 2, row: 'D', column: 1 });
    expect(statuses(await store.persist([ticket, ticket, ticket]))).toEqual(['STORED', 'DUPLICATE', 'DUPLICATE']);
    expect(await store.readSeatStream(eventId, 2, 'D', 1)).toHaveLength(1);
  });

  it('cancels a different ticket for a sold seat with SEAT_ALREADY_SOLD, leaves the first untouched, and answers CANCELLED again to its redelivery', async () => {
    const seat = { zoneId: 1, row: 'E', column: 7 };
    const first = reservedTicket(eventId, seat);
    const second = reservedTicket(eventId, seat);
    await store.persist([first]);

    const [outcome] = await store.persist([second]);

    const reason = `SEAT_ALREADY_SOLD:${first.ticketId}`;
    expect(outcome).toEqual({
      ticketId: second.ticketId,
      status: 'CANCELLED',
      reason,
      cancelled: { ...second, reason, cancelledOn: expect.any(String) },
    });
    const byId = new Map((await store.listEventTickets(eventId)).map((t) => [t.ticketId, t]));
    expect(byId.get(first.ticketId)).toEqual(expect.objectContaining({ status: 'RESERVED' }));
    expect(byId.get(first.ticketId)).not.toHaveProperty('reason');
    expect(byId.get(second.ticketId)).toEqual(expect.objectContaining({ status: 'CANCELLED', reason }));
    const stream = await store.readSeatStream(eventId, 1, 'E', 7);
    expect(stream.map((e) => [e.version, e.type, e.ticketId])).toEqual([
      [1, 'TicketReserved', first.ticketId],
      [2, 'TicketCancelled', second.ticketId],
    ]);

    // Again CANCELLED, with the same data: its TicketCancelled may have been lost before the broker ack.
    expect(await store.persist([second])).toEqual([outcome]);
    expect(await store.persist([first])).toEqual([{ ticketId: first.ticketId, status: 'DUPLICATE' }]);
    expect(await store.readSeatStream(eventId, 1, 'E', 7)).toHaveLength(2);
  });

  it('gives a free seat to the first of several tickets in one batch and answers in input order', async () => {
    const seat = { zoneId: 1, row: 'F', column: 1 };
    const [a, b, c] = [reservedTicket(eventId, seat), reservedTicket(eventId, seat), reservedTicket(eventId, seat)];
    const other = reservedTicket(eventId, { zoneId: 1, row: 'F', column: 2 });

    const outcomes = await store.persist([a!, other, b!, a!, c!]);

    expect(outcomes.map((o) => [o.ticketId, o.status])).toEqual([
      [a!.ticketId, 'STORED'],
      [other.ticketId, 'STORED'],
      [b!.ticketId, 'CANCELLED'],
      [a!.ticketId, 'DUPLICATE'],
      [c!.ticketId, 'CANCELLED'],
    ]);
    expect((await store.readSeatStream(eventId, 1, 'F', 1)).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('keeps one owner when different tickets race for a free seat from separate callers', async () => {
    const seat = { zoneId: 2, row: 'G', column: 9 };
    const contenders = Array.from({ length: 12 }, () => reservedTicket(eventId, seat));

    const outcomes = (await Promise.all(contenders.map((t) => store.persist([t])))).flat();

    expect(statuses(outcomes).filter((s) => s === 'STORED')).toHaveLength(1);
    expect(statuses(outcomes).filter((s) => s === 'CANCELLED')).toHaveLength(11);
    const stream = await store.readSeatStream(eventId, 2, 'G', 9);
    expect(stream.map((e) => e.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const owner = outcomes.find((o) => o.status === 'STORED')!.ticketId;
    expect(stream[0]!.ticketId).toBe(owner);
    for (const o of outcomes) if (o.status === 'CANCELLED') expect(o.reason).toBe(`SEAT_ALREADY_SOLD:${owner}`);
  });

  it('completes a ticket whose stream item was written before a crash, reporting it once', async () => {
    const seat = { zoneId: 1, row: 'H', column: 4 };
    const owner = reservedTicket(eventId, seat);
    const refused = reservedTicket(eventId, seat);
    const streamId = seatStreamId(eventId, 1, 'H', 4);
    const recordedAt = new Date().toISOString();
    const reason = `SEAT_ALREADY_SOLD:${owner.ticketId}`;
    // What a worker that died between the two writes leaves behind: stream items, no TicketCreation.
    const put = (item: object) =>
      dynamo.db.send(new PutItemCommand({ TableName: store.seatEventsTable, Item: marshall(item) }));
    await put({ streamId, version: 1, type: 'TicketReserved', ticketId: owner.ticketId, data: owner, recordedAt });
    const cancelled = { ...refused, reason, cancelledOn: recordedAt };
    await put({
      streamId,
      version: 2,
      type: 'TicketCancelled',
      ticketId: refused.ticketId,
      data: cancelled,
      recordedAt,
    });
    expect(await store.listEventTickets(eventId)).toEqual([]);

    expect(await store.persist([refused, owner])).toEqual([
      { ticketId: refused.ticketId, status: 'CANCELLED', reason, cancelled },
      { ticketId: owner.ticketId, status: 'STORED' },
    ]);

    expect((await store.listEventTickets(eventId)).map((t) => [t.ticketId, t.status]).sort()).toEqual(
      [
        [owner.ticketId, 'RESERVED'],
        [refused.ticketId, 'CANCELLED'],
      ].sort(),
    );
    expect(statuses(await store.persist([owner, refused]))).toEqual(['DUPLICATE', 'CANCELLED']);
    expect(await store.readSeatStream(eventId, 1, 'H', 4)).toHaveLength(2);
  });

  it('reports a conflicting ticket on the retry when the TicketCreation write failed after the append', async () => {
    // The second write of the pair is throttled once, as DynamoDB answers it; the stream append has landed.
    const proxy = await ThrottlingProxy.start(new URL(dynamo.server.endpoint));
    const db = dynamo.client({ maxAttempts: 1 }, proxy.endpoint);
    let failWrites = false;
    proxy.throttle = (operation) => {
      if (!failWrites || operation !== 'BatchWriteItem') return false;
      failWrites = false;
      return true;
    };
    const own = new DynamoTicketWriteStore(db, { DYNAMODB_TABLE_PREFIX: prefixOf(store) });
    const seat = { zoneId: 1, row: 'J', column: 1 };
    const owner = reservedTicket(eventId, seat);
    const refused = reservedTicket(eventId, seat);
    await own.persist([owner]);
    failWrites = true;
    await expect(own.persist([refused])).rejects.toThrow('Rate of requests');
    expect(await own.readSeatStream(eventId, 1, 'J', 1)).toHaveLength(2);

    const [retried] = await own.persist([refused]);

    expect(retried).toEqual(
      expect.objectContaining({ status: 'CANCELLED', reason: `SEAT_ALREADY_SOLD:${owner.ticketId}` }),
    );
    expect((await own.listEventTickets(eventId)).map((t) => [t.ticketId, t.status]).sort()).toEqual(
      [
        [owner.ticketId, 'RESERVED'],
        [refused.ticketId, 'CANCELLED'],
      ].sort(),
    );
    expect(await own.persist([refused])).toEqual([retried]);
    expect(proxy.throttled).toBe(1);
    db.destroy();
    await proxy.close();
  });

  it('stores a ticket once when two workers get copies at the same moment, reporting it at most once each', async () => {
    const db = dynamo.client();
    const other = new DynamoTicketWriteStore(db, { DYNAMODB_TABLE_PREFIX: prefixOf(store) });
    const ticket = reservedTicket(eventId, { zoneId: 2, row: 'K', column: 5 });

    const outcomes = (
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).persist([ticket])))
    ).flat();

    const reports = statuses(outcomes).filter((s) => s !== 'DUPLICATE');
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThanOrEqual(2);
    expect(new Set(reports)).toEqual(new Set(['STORED']));
    expect(await store.readSeatStream(eventId, 2, 'K', 5)).toHaveLength(1);
    expect(await store.listEventTickets(eventId)).toHaveLength(1);
    db.destroy();
  });

  it('uses DYNAMODB_ENDPOINT when it is set: no embedded dynalite; stops without its tables, naming them and the migrate step; starts once the step created them', async () => {
    const config = testConfig({ DYNAMODB_ENDPOINT: dynamo.server.endpoint, DYNAMODB_TABLE_PREFIX: 'module' });
    @Module({ imports: [ConfigModule.forRoot(config), WriteStoreModule] })
    class WithEndpoint {}
    await expect(
      NestFactory.createApplicationContext(WithEndpoint, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      `DynamoDB at ${dynamo.server.endpoint} (DYNAMODB_ENDPOINT) has no table module-seat-events, module-tickets ` +
        '(DYNAMODB_TABLE_PREFIX): run `npm run migrate`',
    );
    const { TableNames: before } = await dynamo.db.send(new ListTablesCommand({}));
    expect(before).not.toContain('module-seat-events'); // the worker checked; it created nothing

    const migrated: string[] = [];
    await migrateWriteStore(config, (line) => migrated.push(line));
    expect(migrated).toEqual(['created DynamoDB table module-seat-events', 'created DynamoDB table module-tickets']);
    const again: string[] = [];
    await migrateWriteStore(config, (line) => again.push(line));
    expect(again).toEqual(['DynamoDB tables module-seat-events, module-tickets are up to date']);

    const app = await NestFactory.createApplicationContext(WithEndpoint, { logger: ['error'] });
    try {
      expect(app.get(EMBEDDED_DYNALITE)).toBeNull();
      const ticket = reservedTicket(eventId, { zoneId: 1, row: 'L', column: 1 });
      expect(await app.get<TicketWriteStore>(TICKET_WRITE_STORE).persist([ticket])).toEqual([
        { ticketId: ticket.ticketId, status: 'STORED' },
      ]);
      const { TableNames } = await dynamo.db.send(new ListTablesCommand({}));
      expect(TableNames).toEqual(expect.arrayContaining(['module-seat-events', 'module-tickets']));
    } finally {
      await app.close();
    }
    // Shutting the application down leaves a DynamoDB it did not start running.
    expect(await store.persist([])).toEqual([]);
    await expect(dynamo.db.send(new ListTablesCommand({}))).resolves.toBeDefined();
  });

  it('answers an empty batch with no outcomes', async () => {
    expect(await store.persist([])).toEqual([]);
  });
});

import 'reflect-metadata';
import { connect } from 'node:net';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '../../src/platform/config/config.module';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import type { DynaliteServer } from '../../src/write-store/dynalite.server';
import { DynamoJsonClient } from '../../src/write-store/dynamo-json.client';
import { DynamoSdkItemClient } from '../../src/write-store/dynamo-sdk-item.client';
import { DYNAMODB, type DynamoClients } from '../../src/write-store/dynamodb.client';
import type { PersistOutcome } from '../../src/write-store/persist-outcome';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../../src/write-store/ticket-write-store.port';
import { EMBEDDED_DYNALITE, WriteStoreModule } from '../../src/write-store/write-store.module';
import { reservedTicket } from '../support/tickets';
import { seatKey, seededRandom, type PlannedSeat } from '../../scripts/seat-plan';
import { freshEventId, testConfig } from '../support/test-config';

const SEATS = 1300;
const TICKETS = 2000;
const REDELIVERED = 300;
const BATCH = 100;
const CALLERS = 6;

/** Every seat once, then extra tickets on random seats (some seats get 2 or 3), shuffled. */
function ticketPlan(eventId: string, seed: number): TicketReservedData[] {
  const random = seededRandom(seed);
  const seats: PlannedSeat[] = Array.from({ length: SEATS }, (_, i) => ({
    zoneId: 1 + (i % 2),
    row: String.fromCharCode(65 + (Math.floor(i / 2) % 26)),
    column: Math.floor(i / 52) + 1,
  }));
  const extra = Array.from({ length: TICKETS - SEATS }, () => seats[random.below(400)]!);
  return random.shuffle([...seats, ...extra].map((seat) => reservedTicket(eventId, seat)));
}

const refusesConnections = (endpoint: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(endpoint);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

function writeStoreTestModule(itemClient: string) {
  @Module({
    imports: [
      ConfigModule.forRoot(testConfig({ DYNAMODB_EMBEDDED: 'true', DYNAMODB_CLIENT: itemClient })),
      WriteStoreModule,
    ],
  })
  class WriteStoreTestModule {}
  return WriteStoreTestModule;
}

// Both item clients (DYNAMODB_CLIENT) must keep the same guarantees: the conditional append is the arbiter.
describe.each(['json', 'sdk'])(
  'the write store under concurrency, as the pipeline calls it, items through the %s client',
  (itemClient) => {
    let app: INestApplicationContext;
    let store: TicketWriteStore;

    beforeAll(async () => {
      // DYNAMODB_EMBEDDED: the module starts its own dynalite and creates the tables.
      app = await NestFactory.createApplicationContext(writeStoreTestModule(itemClient), { logger: ['error'] });
      app.enableShutdownHooks();
      store = app.get<TicketWriteStore>(TICKET_WRITE_STORE);
    });

    afterAll(async () => {
      await app?.close();
    });

    it('sends the item calls through the configured client', () => {
      const expected = itemClient === 'sdk' ? DynamoSdkItemClient : DynamoJsonClient;
      expect(app.get<DynamoClients>(DYNAMODB).json).toBeInstanceOf(expected);
    });

    it('keeps exactly one live ticket per seat and records every ticket once, reporting each once', async () => {
      const eventId = freshEventId('ws-load');
      const tickets = ticketPlan(eventId, 4242);
      const random = seededRandom(7);
      const redeliveries = Array.from({ length: REDELIVERED }, () => tickets[random.below(TICKETS)]!);
      const batches: TicketReservedData[][] = [];
      for (let i = 0; i < tickets.length; i += BATCH) batches.push(tickets.slice(i, i + BATCH));
      for (let i = 0; i < redeliveries.length; i += BATCH) batches.push(redeliveries.slice(i, i + BATCH));
      // Redeliveries interleave with the originals: a copy may well arrive first.
      random.shuffle(batches);

      const outcomes: PersistOutcome[] = [];
      let next = 0;
      const caller = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const result = await store.persist(batch);
          expect(result.map((o) => o.ticketId)).toEqual(batch.map((t) => t.ticketId));
          outcomes.push(...result);
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: CALLERS }, caller));
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `write store (${itemClient} client): ${TICKETS} tickets + ${REDELIVERED} redeliveries over ${SEATS} seats, ${CALLERS} callers x ` +
          `${BATCH}-ticket batches: ${seconds.toFixed(2)} s, ${Math.round(TICKETS / seconds)} tickets/s ` +
          `(${Math.round((TICKETS + REDELIVERED) / seconds)} messages/s)`,
      );

      // Each owner is reported STORED exactly once (its redeliveries DUPLICATE); each refused ticket is
      // CANCELLED on every delivery, so its TicketCancelled survives a crash before the broker ack.
      const stored = new Map<string, number>();
      const cancelled = new Set<string>();
      for (const o of outcomes) {
        if (o.status === 'STORED') stored.set(o.ticketId, (stored.get(o.ticketId) ?? 0) + 1);
        if (o.status === 'CANCELLED') cancelled.add(o.ticketId);
      }
      expect(stored.size).toBe(SEATS);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
      expect(cancelled.size).toBe(TICKETS - SEATS);
      expect([...cancelled].some((id) => stored.has(id))).toBe(false);
      expect(outcomes).toHaveLength(TICKETS + REDELIVERED);

      // The write model: every ticket once, one RESERVED per seat, every other CANCELLED by that owner.
      const recorded = await store.listEventTickets(eventId);
      expect(recorded).toHaveLength(TICKETS);
      expect(new Set(recorded.map((t) => t.ticketId)).size).toBe(TICKETS);
      const owners = new Map<string, string>();
      for (const t of recorded) {
        if (t.status !== 'RESERVED') continue;
        const key = seatKey(t);
        expect(owners.has(key)).toBe(false);
        owners.set(key, t.ticketId);
      }
      expect(owners.size).toBe(SEATS);
      for (const t of recorded) {
        if (t.status === 'CANCELLED') expect(t.reason).toBe(`SEAT_ALREADY_SOLD:${owners.get(seatKey(t))}`);
      }

      // The event store agrees: each seat stream holds its tickets at versions 1..n, the owner at version 1.
      const perSeat = new Map<string, TicketReservedData[]>();
      for (const t of tickets) perSeat.set(seatKey(t), [...(perSeat.get(seatKey(t)) ?? []), t]);
      expect(Math.max(...[...perSeat.values()].map((s) => s.length))).toBeGreaterThanOrEqual(3);
      for (const seatTickets of perSeat.values()) {
        const { eventId: e, zoneId, row, column } = seatTickets[0]!;
        const stream = await store.readSeatStream(e, zoneId, row, column);
        expect(stream.map((s) => s.version)).toEqual(seatTickets.map((_, i) => i + 1));
        expect(stream.map((s) => s.ticketId).sort()).toEqual(seatTickets.map((t) => t.ticketId).sort());
        expect(stream[0]!.type).toBe('TicketReserved');
        expect(stream[0]!.ticketId).toBe(owners.get(seatKey(seatTickets[0]!)));
      }
    });

    it('closes the embedded dynalite when the application shuts down', async () => {
      const embedded = app.get<DynaliteServer | null>(EMBEDDED_DYNALITE);
      expect(embedded).not.toBeNull();
      expect(await refusesConnections(embedded!.endpoint)).toBe(false);
      await app.close();
      expect(await refusesConnections(embedded!.endpoint)).toBe(true);
    });
  },
);

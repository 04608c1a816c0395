import { Redis } from 'ioredis';
import type { Zone } from '../../src/catalog/catalog.schema';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { holdKeys, newHoldId } from '../../src/purchasing/seat-map/hold.keys';
import { deleteZoneAndHolds } from '../support/hold-cleanup';
import {
  RedisSeatHolds,
  type ConfirmResult,
  type HeldSeat,
  type HoldRecord,
} from '../../src/purchasing/seat-map/redis-seat-holds';
import { RedisSeatMap } from '../../src/purchasing/seat-map/redis-seat-map';
import { ticketCacheKey, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { newTicketId } from '../../src/purchasing/ticket-id';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

const config = testConfig();
const HOLD_MS = 600_000;
const zone: Zone = { zoneId: 9, ticketPrice: 25, rowCount: 20, colCount: 20 };
const GRID = zone.rowCount * zone.colCount;

describe('confirm-hold.lua, the zone generation guard and the expiry race on Redis', () => {
  let redis: Redis;
  let seatMap: RedisSeatMap;
  let holds: RedisSeatHolds;
  let eventId: string;
  let holdIds: string[];

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 5000, 'confirm-hold-test');
    await redis.connect();
    seatMap = new RedisSeatMap(redis, config);
    holds = new RedisSeatHolds(redis);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    eventId = freshEventId('confirm');
    holdIds = [];
    await seatMap.openZone(eventId, zone);
  });
  afterEach(async () => {
    await deleteZoneAndHolds(redis, eventId, zone.zoneId, holdIds);
    await deleteOutboxRecordsOf(redis, eventId);
  });

  const seats = (...labels: string[]): HeldSeat[] =>
    labels.map((label) => ({ row: label[0]!, column: Number(label.slice(1)) }));

  const hold = async (held: HeldSeat[], holdMs = HOLD_MS): Promise<HoldRecord> => {
    const holdId = newHoldId(eventId, zone.zoneId);
    holdIds.push(holdId);
    const outcome = await holds.hold({
      holdId,
      buyerId: 'buyer-1',
      eventId,
      zoneId: zone.zoneId,
      holdMs,
      pick: { seats: held },
    });
    expect(outcome.code).toBe('HELD');
    return (await holds.find(holdId))!;
  };

  /** The payloads the confirm handler would build: one new ticket id per seat. */
  const ticketsFor = (record: HoldRecord) =>
    record.seats.map((seat) => {
      const ticketId = newTicketId(eventId, zone.zoneId);
      const payload = JSON.stringify({
        ticketId,
        venueId: 'Arena',
        eventId,
        zoneId: zone.zoneId,
        row: seat.row,
        column: seat.column,
        price: zone.ticketPrice,
        createdOn: new Date().toISOString(),
        buyerId: record.buyerId,
      });
      return { ticketId, payload };
    });

  const confirm = (record: HoldRecord, tickets = ticketsFor(record)): Promise<ConfirmResult> =>
    holds.confirm({ hold: record, paymentReference: 'pay-1', tickets, ticketCacheSeconds: 60, keepSeconds: 3600 });

  /** Payloads of this test's event in the outbox stream of the zone's partition. */
  const outboxPayloads = async (): Promise<{ ticketId: string; row: string; column: number }[]> => {
    const entries = await redis.xrange(zoneKeys(eventId, zone.zoneId).outbox, '-', '+');
    return entries
      .map(([, fields]) => JSON.parse(fields[1]!) as { ticketId: string; eventId: string; row: string; column: number })
      .filter((payload) => payload.eventId === eventId);
  };
  const isTaken = async (seat: HeldSeat): Promise<boolean> =>
    (await redis.getbit(
      zoneKeys(eventId, zone.zoneId).seats,
      (seat.row.charCodeAt(0) - 65) * zone.colCount + seat.column - 1,
    )) === 1;
  const zoneLeft = async () => (await seatMap.counters(eventId, zone.zoneId))!.zoneLeft;

  describe('confirm', () => {
    it('appends one TicketReserved per seat, caches each ticket, keeps the seats, and marks the record confirmed off the expiry index', async () => {
      const record = await hold(seats('C5', 'C6', 'C7'));
      const tickets = ticketsFor(record);
      const result = await confirm(record, tickets);
      expect(result).toMatchObject({ code: 'CONFIRMED', now: true });
      const confirmed = JSON.parse((result as { tickets: string }).tickets) as { ticketId: string }[];
      expect(confirmed.map((ticket) => ticket.ticketId)).toEqual(tickets.map((ticket) => ticket.ticketId));

      const outbox = await outboxPayloads();
      expect(outbox.map((payload) => [payload.ticketId, payload.row, payload.column])).toEqual(
        tickets.map((ticket, i) => [ticket.ticketId, record.seats[i]!.row, record.seats[i]!.column]),
      );
      const partition = zoneKeys(eventId, zone.zoneId).partition;
      for (const ticket of tickets) {
        expect(await redis.get(ticketCacheKey(partition, ticket.ticketId))).toBe(ticket.payload);
        expect(await redis.ttl(ticketCacheKey(partition, ticket.ticketId))).toBeGreaterThan(0);
      }
      for (const seat of record.seats) expect(await isTaken(seat)).toBe(true);
      expect(await zoneLeft()).toBe(GRID - 3);

      const keys = holdKeys(eventId, zone.zoneId, record.holdId);
      expect(await redis.zscore(keys.expiryIndex, record.holdId)).toBeNull();
      expect(await redis.ttl(keys.record)).toBeGreaterThan(3500);
      expect(await holds.find(record.holdId)).toMatchObject({ status: 'confirmed', paymentReference: 'pay-1' });
    });

    it('answers a repeated confirm with the first tickets, whatever ids it brings, and appends nothing more', async () => {
      const record = await hold(seats('D1', 'D2'));
      const first = await confirm(record);
      const again = await confirm(record, ticketsFor(record));
      expect(again).toEqual({ code: 'CONFIRMED', tickets: (first as { tickets: string }).tickets, now: false });
      expect(await outboxPayloads()).toHaveLength(2);
      // The release that an expiry sweep or a cancel would run leaves a confirmed hold alone.
      expect(await holds.release(eventId, zone.zoneId, record.holdId)).toBe(false);
      expect(await zoneLeft()).toBe(GRID - 2);
    });

    it('answers HOLD_EXPIRED from expiresAt on, writing nothing', async () => {
      const record = await hold(seats('E1'), 50);
      await sleep(80);
      expect(await confirm(record)).toEqual({ code: 'HOLD_EXPIRED' });
      expect(await outboxPayloads()).toHaveLength(0);
      expect((await holds.find(record.holdId))?.status).toBe('held');
    });

    it('answers HOLD_NOT_FOUND for a released hold', async () => {
      const record = await hold(seats('F1'));
      expect(await holds.release(eventId, zone.zoneId, record.holdId)).toBe(true);
      expect(await confirm(record)).toEqual({ code: 'HOLD_NOT_FOUND' });
      expect(await outboxPayloads()).toHaveLength(0);
      expect(await holds.find(record.holdId)).toBeNull();
      expect(await holds.find(newHoldId(eventId, zone.zoneId))).toBeNull();
      expect(await holds.find('not-a-hold-id')).toBeNull();
    });

    it('refuses payloads that do not match the seats of the hold', async () => {
      const record = await hold(seats('G1', 'G2'));
      await expect(confirm(record, ticketsFor(record).slice(0, 1))).rejects.toThrow(/do not match/);
      await expect(confirm({ ...record, seats: seats('G1', 'G3') })).rejects.toThrow(/do not match/);
      expect(await outboxPayloads()).toHaveLength(0);
    });
  });

  describe('zone generation guard', () => {
    const loseAndRebuild = async (taken: HeldSeat[]) => {
      const keys = zoneKeys(eventId, zone.zoneId);
      await redis.del(keys.counts, keys.seats);
      expect((await seatMap.rebuildZone(eventId, zone, taken)).rebuilt).toBe(true);
    };

    it('gives every opening and rebuild of a map its own gen, and records it in the hold', async () => {
      const counts = zoneKeys(eventId, zone.zoneId).counts;
      const opened = await redis.hget(counts, 'gen');
      expect(opened).toMatch(/^o\d+$/);
      const record = await hold(seats('A1'));
      expect(await redis.hget(holdKeys(eventId, zone.zoneId, record.holdId).record, 'gen')).toBe(opened);
      await loseAndRebuild([]);
      const rebuilt = await redis.hget(counts, 'gen');
      expect(rebuilt).toMatch(/^r\d+$/);
      expect(rebuilt).not.toBe(opened);
    });

    it('answers HOLD_LOST to a confirm of a hold taken on a map since lost, and its release frees nothing sold since', async () => {
      const record = await hold(seats('A1', 'A2'));
      // The rebuild knows sold tickets only: the held seats come back free, and one is sold to someone else.
      await loseAndRebuild([]);
      expect(await isTaken(record.seats[0]!)).toBe(false);
      const sold = await seatMap.reserve({
        seat: { eventId, zoneId: zone.zoneId, row: 'A', column: 1 },
        ticketId: newTicketId(eventId, zone.zoneId),
        payload: JSON.stringify({ eventId, row: 'A', column: 1 }),
      });
      expect(sold.code).toBe('RESERVED');
      const left = await zoneLeft();

      expect(await confirm(record)).toEqual({ code: 'HOLD_LOST' });
      expect((await outboxPayloads()).filter((payload) => 'ticketId' in payload)).toHaveLength(0);

      const keys = holdKeys(eventId, zone.zoneId, record.holdId);
      expect(await holds.release(eventId, zone.zoneId, record.holdId)).toBe(true);
      expect(await isTaken(record.seats[0]!)).toBe(true);
      expect(await zoneLeft()).toBe(left);
      expect(await redis.exists(keys.record)).toBe(0);
      expect(await redis.zscore(keys.expiryIndex, record.holdId)).toBeNull();
    });

    it('answers HOLD_LOST while the map is missing, before any rebuild', async () => {
      const record = await hold(seats('B1'));
      const keys = zoneKeys(eventId, zone.zoneId);
      await redis.del(keys.counts, keys.seats);
      expect(await confirm(record)).toEqual({ code: 'HOLD_LOST' });
    });
  });

  describe('expiry index', () => {
    it('lists the holds whose expiresAt has come by the Redis clock, and only those', async () => {
      const soon = await hold(seats('H1'), 30);
      const later = await hold(seats('H2'), HOLD_MS);
      const partition = zoneKeys(eventId, zone.zoneId).partition;
      await sleep(60);
      const due = await holds.due(partition, 10_000);
      expect(due).toContain(soon.holdId);
      expect(due).not.toContain(later.holdId);
    });
  });

  describe('confirm against expiry at the same instant', () => {
    it('ends every hold either confirmed (tickets in the outbox, seats taken) or released (seats free, no tickets), never both', async () => {
      const HOLDS = 200;
      const records: HoldRecord[] = [];
      for (let i = 0; i < HOLDS; i++) {
        const row = String.fromCharCode(65 + Math.floor(i / 10));
        const column = 2 * (i % 10) + 1;
        records.push(await hold(seats(`${row}${column}`, `${row}${column + 1}`), 2000));
      }
      const partition = zoneKeys(eventId, zone.zoneId).partition;
      // The sweep on a connection of its own, as another API process would run it.
      const sweeperRedis = createRedis(config.REDIS_URL, 5000, 'confirm-race-sweeper');
      await sweeperRedis.connect();
      const sweeper = new RedisSeatHolds(sweeperRedis);
      let sweeping = true;
      let released = 0;
      const sweep = (async () => {
        while (sweeping) {
          const due = (await sweeper.due(partition, 1000)).filter((id) => holdIds.includes(id));
          const results = await Promise.all(due.map((id) => sweeper.release(eventId, zone.zoneId, id)));
          released += results.filter(Boolean).length;
          await sleep(1);
        }
      })();

      // Each confirm is sent at a moment spread over 60 ms around its hold's expiry, on the Redis clock.
      const [seconds, micros] = await redis.time();
      const offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - Date.now();
      const outcomes = await Promise.all(
        records.map(async (record, i) => {
          const at = record.expiresAt - 30 + (i % 60);
          await sleep(Math.max(0, at - offset - Date.now()));
          return (await confirm(record)).code;
        }),
      );
      await sleep(300);
      sweeping = false;
      await sweep;
      await sweeperRedis.quit();

      const outbox = await outboxPayloads();
      let confirmed = 0;
      for (const [i, record] of records.entries()) {
        const found = await holds.find(record.holdId);
        const tickets = outbox.filter((payload) =>
          record.seats.some((seat) => seat.row === payload.row && seat.column === payload.column),
        );
        const taken = await Promise.all(record.seats.map(isTaken));
        if (outcomes[i] === 'CONFIRMED') {
          confirmed++;
          expect(found?.status).toBe('confirmed');
          expect(tickets).toHaveLength(2);
          expect(taken).toEqual([true, true]);
        } else {
          // Refused as expired, or as gone when the sweep released it first.
          expect(['HOLD_EXPIRED', 'HOLD_NOT_FOUND']).toContain(outcomes[i]);
          expect(found).toBeNull();
          expect(tickets).toHaveLength(0);
          expect(taken).toEqual([false, false]);
        }
      }
      console.log(`confirm/expiry race: ${confirmed} confirmed, ${released} released of ${HOLDS}`);
      expect(confirmed + released).toBe(HOLDS);
      // The spread straddles the expiry: both sides of the race were run.
      expect(confirmed).toBeGreaterThan(0);
      expect(released).toBeGreaterThan(0);
      expect(await zoneLeft()).toBe(GRID - 2 * confirmed);
    });
  });
});

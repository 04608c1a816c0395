import { Redis } from 'ioredis';
import { RedisSeatMap } from '../../src/purchasing/seat-map/redis-seat-map';
import {
  idempotencyFingerprintKey,
  idempotencyRecordKey,
  ticketCacheKey,
  zoneKeys,
} from '../../src/purchasing/seat-map/seat-map.keys';
import type { Zone } from '../../src/catalog/catalog.schema';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, testConfig } from '../support/test-config';

const config = testConfig();
const smallZone: Zone = { zoneId: 7, ticketPrice: 10, rowCount: 2, colCount: 3 };

describe('seat map scripts on Redis', () => {
  let redis: Redis;
  let seatMap: RedisSeatMap;
  let eventId: string;

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 2000, 'seat-map-test');
    await redis.connect();
    seatMap = new RedisSeatMap(redis, config);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    eventId = freshEventId('lua');
    await seatMap.openZone(eventId, smallZone);
  });
  afterEach(async () => {
    // Outbox entries of these direct calls would otherwise wait for a relay; they belong to no real sale.
    const keys = zoneKeys(eventId, smallZone.zoneId);
    await redis.del(keys.counts, keys.seats);
    await deleteOutboxRecordsOf(redis, eventId);
  });

  const seat = (row: string, column: number, zoneId = smallZone.zoneId) => ({ eventId, zoneId, row, column });
  // Per event: a ticket's cache key is named by partition and ticket id only, and Redis is shared with every
  // other test (and earlier runs, within the cache's TTL), so a fixed id could find another test's entry.
  const ticketIdOf = (row: string, column: number) => `t-${eventId}-${row}${column}`;
  const reserve = (row: string, column: number, extra: { idempotencyKey?: string; zoneId?: number } = {}) =>
    seatMap.reserve({
      seat: seat(row, column, extra.zoneId),
      ticketId: ticketIdOf(row, column),
      payload: JSON.stringify({ ticketId: ticketIdOf(row, column), eventId: eventId }),
      ...(extra.idempotencyKey !== undefined && { idempotencyKey: extra.idempotencyKey }),
    });

  it('opens a zone with full counters, and re-opening leaves a sale in progress untouched', async () => {
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 6, rowsLeft: { A: 3, B: 3 } });
    expect((await reserve('A', 1)).code).toBe('RESERVED');
    expect(await seatMap.openZone(eventId, smallZone)).toBe(false);
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 5, rowsLeft: { A: 2, B: 3 } });
  });

  it('reserves a free seat and rejects a second purchase of the same seat with SEAT_TAKEN', async () => {
    expect((await reserve('B', 2)).code).toBe('RESERVED');
    expect((await reserve('B', 2)).code).toBe('SEAT_TAKEN');
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 5, rowsLeft: { A: 3, B: 2 } });
  });

  it('answers ROW_SOLD_OUT once every seat of the row is taken', async () => {
    for (const column of [1, 2, 3]) expect((await reserve('A', column)).code).toBe('RESERVED');
    expect((await reserve('A', 2)).code).toBe('ROW_SOLD_OUT');
    expect((await reserve('B', 1)).code).toBe('RESERVED');
  });

  it('answers ZONE_SOLD_OUT once every seat of the zone is taken, and counters stay at zero', async () => {
    for (const row of ['A', 'B'])
      for (const column of [1, 2, 3]) expect((await reserve(row, column)).code).toBe('RESERVED');
    expect((await reserve('B', 3)).code).toBe('ZONE_SOLD_OUT');
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 0, rowsLeft: { A: 0, B: 0 } });
  });

  it('answers NOT_OPEN for a zone without a seat map and for seats outside the grid', async () => {
    expect((await reserve('A', 1, { zoneId: 99 })).code).toBe('NOT_OPEN');
    expect((await reserve('C', 1)).code).toBe('NOT_OPEN');
    expect((await reserve('A', 4)).code).toBe('NOT_OPEN');
    expect((await reserve('A', 0)).code).toBe('NOT_OPEN');
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 6, rowsLeft: { A: 3, B: 3 } });
  });

  it('appends exactly one outbox record per reservation, in the same call', async () => {
    const outbox = zoneKeys(eventId, 7).outbox;
    const before = await redis.xrevrange(outbox, '+', '-', 'COUNT', 1000);
    await reserve('A', 3);
    await reserve('A', 3);
    const after = await redis.xrevrange(outbox, '+', '-', 'COUNT', 1000);
    const mine = after.filter(
      ([, fields]) => fields[1]!.includes(`"ticketId":"${ticketIdOf('A', 3)}"`) && fields[1]!.includes(eventId),
    );
    expect(mine).toHaveLength(1);
    expect(after.length - before.length).toBeGreaterThanOrEqual(1);
  });

  it('replays the stored ticket for a repeated idempotency key instead of taking another seat', async () => {
    const key = `k-${eventId}`;
    expect((await reserve('B', 1, { idempotencyKey: key })).code).toBe('RESERVED');
    const replay = await reserve('B', 1, { idempotencyKey: key });
    expect(replay).toEqual({ code: 'REPLAYED', payload: JSON.stringify({ ticketId: ticketIdOf('B', 1), eventId }) });
    expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 5, rowsLeft: { A: 3, B: 2 } });
  });

  it('writes the idempotency record only for a reservation that took its seat, for IDEMPOTENCY_TTL_SECONDS', async () => {
    const partition = zoneKeys(eventId, 7).partition;
    const [winner, loser] = [`win-${eventId}`, `lose-${eventId}`];
    expect((await reserve('A', 3, { idempotencyKey: winner })).code).toBe('RESERVED');
    expect((await reserve('A', 3, { idempotencyKey: loser })).code).toBe('SEAT_TAKEN');
    expect(await redis.exists(idempotencyRecordKey(partition, loser))).toBe(0);
    const ttl = await redis.ttl(idempotencyRecordKey(partition, winner));
    expect(ttl).toBeGreaterThan(config.IDEMPOTENCY_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(config.IDEMPOTENCY_TTL_SECONDS);
  });

  it('claims a key for the given time, returns the fingerprint already there, and keeps it when asked', async () => {
    const key = `claim-${eventId}`;
    expect(await seatMap.claimIdempotencyKey(key, 'first', 30)).toBeNull();
    expect(await seatMap.claimIdempotencyKey(key, 'second', 30)).toBe('first');
    expect(await redis.ttl(idempotencyFingerprintKey(key))).toBeLessThanOrEqual(30);
    await seatMap.keepIdempotencyKey(key, 86_400);
    expect(await redis.ttl(idempotencyFingerprintKey(key))).toBeGreaterThan(86_400 - 60);
    expect(await redis.get(idempotencyFingerprintKey(key))).toBe('first');
    await redis.del(idempotencyFingerprintKey(key));
  });

  it('writes the new ticket under its cache key with the reservation (with a TTL), and nothing for a refused seat', async () => {
    const partition = zoneKeys(eventId, 7).partition;
    expect((await reserve('A', 2, { zoneId: 99 })).code).toBe('NOT_OPEN');
    expect(await redis.exists(ticketCacheKey(zoneKeys(eventId, 99).partition, ticketIdOf('A', 2)))).toBe(0);
    expect((await reserve('A', 2)).code).toBe('RESERVED');
    const cacheKey = ticketCacheKey(partition, ticketIdOf('A', 2));
    expect(await redis.get(cacheKey)).toBe(JSON.stringify({ ticketId: ticketIdOf('A', 2), eventId }));
    const ttl = await redis.ttl(cacheKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(config.TICKET_CACHE_TTL_SECONDS);
    await redis.del(cacheKey);
  });

  it('keeps counters equal to the grid minus the seats sold after many concurrent reservations', async () => {
    const zone: Zone = { zoneId: 8, ticketPrice: 1, rowCount: 26, colCount: 40 };
    await seatMap.openZone(eventId, zone);
    const requests = [];
    for (let i = 0; i < 3000; i++) {
      const row = String.fromCharCode(65 + (i % 26));
      requests.push(reserve(row, 1 + ((i * 7) % 40), { zoneId: 8 }));
    }
    const results = await Promise.all(requests);
    const reserved = results.filter((r) => r.code === 'RESERVED').length;
    const counters = await seatMap.counters(eventId, 8);
    expect(counters!.zoneLeft).toBe(26 * 40 - reserved);
    expect(Object.values(counters!.rowsLeft).reduce((a, b) => a + b, 0)).toBe(26 * 40 - reserved);
    expect(await redis.bitcount(zoneKeys(eventId, 8).seats)).toBe(reserved);
    await redis.del(zoneKeys(eventId, 8).counts, zoneKeys(eventId, 8).seats);
  });

  describe('rebuild-zone.lua', () => {
    it('rebuilds a missing zone with exactly the given seats taken and consistent counters', async () => {
      const keys = zoneKeys(eventId, smallZone.zoneId);
      await redis.del(keys.counts, keys.seats);
      const result = await seatMap.rebuildZone(eventId, smallZone, [
        { row: 'A', column: 1 },
        { row: 'B', column: 3 },
        { row: 'B', column: 3 },
        { row: 'C', column: 1 }, // outside the 2-row grid: ignored
      ]);
      expect(result).toEqual({ rebuilt: true, taken: 2 });
      expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 4, rowsLeft: { A: 2, B: 2 } });
      expect((await reserve('A', 1)).code).toBe('SEAT_TAKEN');
      expect((await reserve('A', 2)).code).toBe('RESERVED');
    });

    it('leaves a zone that has a map untouched, so a reservation made meanwhile is never freed', async () => {
      expect((await reserve('B', 2)).code).toBe('RESERVED');
      // A rebuild computed from a store that does not know of B2 yet:
      expect(await seatMap.rebuildZone(eventId, smallZone, [{ row: 'A', column: 3 }])).toEqual({
        rebuilt: false,
        taken: 1,
      });
      expect((await reserve('B', 2)).code).toBe('SEAT_TAKEN');
      expect((await reserve('A', 3)).code).toBe('RESERVED');
      expect(await seatMap.counters(eventId, 7)).toEqual({ zoneLeft: 4, rowsLeft: { A: 2, B: 2 } });
    });

    it('answers NOT_OPEN for every reservation while the zone is missing', async () => {
      const keys = zoneKeys(eventId, smallZone.zoneId);
      await redis.del(keys.counts, keys.seats);
      expect((await reserve('A', 1)).code).toBe('NOT_OPEN');
      expect(await redis.exists(keys.seats)).toBe(0);
    });
  });
});

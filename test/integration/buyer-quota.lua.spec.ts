import { Redis } from 'ioredis';
import { buyerQuotaKey } from '../../src/orders/buyer-limit/buyer-quota.keys';
import { countedSeats } from '../../src/orders/buyer-limit/quota-entry';
import { RedisBuyerQuota, type BuyerQuotaSettings } from '../../src/orders/buyer-limit/redis-buyer-quota';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { holdKeys, newHoldId } from '../../src/purchasing/seat-map/hold.keys';
import { RedisSeatHolds } from '../../src/purchasing/seat-map/redis-seat-holds';
import { RedisSeatMap } from '../../src/purchasing/seat-map/redis-seat-map';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { freshEventId, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

const config = testConfig();
/** Short windows so deadlines pass within a test: take seats within 150 ms, holds of 300 ms, 100 ms grace. */
const settings: BuyerQuotaSettings = { limit: 8, claimMs: 150, graceMs: 100, longestHoldMs: 300 };
const KEEP_MS = settings.longestHoldMs + settings.graceMs;

describe('claim-quota.lua and mark-quota.lua on Redis', () => {
  let redis: Redis;
  let quota: RedisBuyerQuota;
  let eventId: string;
  const buyer = 'buyer-1';

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 5000, 'buyer-quota-test');
    await redis.connect();
    quota = new RedisBuyerQuota(redis, settings);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    eventId = freshEventId('quota');
  });
  afterEach(async () => {
    await redis.del(buyerQuotaKey(eventId, buyer));
  });

  const redisNowMs = async (): Promise<number> => {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  };
  const waitPast = async (ms: number): Promise<void> => {
    while ((await redisNowMs()) <= ms) await sleep(10);
  };
  const counted = async (): Promise<number> =>
    countedSeats((await quota.entries(eventId, buyer)).values(), await redisNowMs());
  const ledger = async (): Promise<Record<string, string>> => redis.hgetall(buyerQuotaKey(eventId, buyer));

  it('claims up to the limit and refuses past it with BUYER_LIMIT and the count, claiming nothing', async () => {
    expect(await quota.claim(eventId, buyer, 'a', 3)).toMatchObject({ ok: true });
    expect(await quota.claim(eventId, buyer, 'b', 3)).toMatchObject({ ok: true });
    const before = await ledger();
    expect(await quota.claim(eventId, buyer, 'c', 3)).toEqual({ ok: false, code: 'BUYER_LIMIT', held: 6, limit: 8 });
    expect(await ledger()).toEqual(before);
    expect(await quota.claim(eventId, buyer, 'c', 2)).toMatchObject({ ok: true });
    expect(await quota.claim(eventId, buyer, 'd', 1)).toEqual({ ok: false, code: 'BUYER_LIMIT', held: 8, limit: 8 });
    expect(await counted()).toBe(8);
    // Another buyer of the same event, and the same buyer at another event, have limits of their own.
    expect(await quota.claim(eventId, 'buyer-2', 'e', 8)).toMatchObject({ ok: true });
    await redis.del(buyerQuotaKey(eventId, 'buyer-2'));
  });

  it('returns a deadline on the Redis clock, and answers a repeated claim with a new one, counting its seats once', async () => {
    const before = await redisNowMs();
    const first = await quota.claim(eventId, buyer, 'a', 3);
    const after = await redisNowMs();
    expect(first.ok && first.notAfter).toBeGreaterThanOrEqual(before + settings.claimMs);
    expect(first.ok && first.notAfter).toBeLessThanOrEqual(after + settings.claimMs);
    await sleep(5);
    const again = await quota.claim(eventId, buyer, 'a', 3);
    expect(again.ok && again.notAfter).toBeGreaterThan(first.ok ? first.notAfter : Infinity);
    expect(await counted()).toBe(3);
    expect(Object.keys(await ledger())).toEqual(['a']);
    await expect(quota.claim(eventId, buyer, 'a', 2)).rejects.toThrow(/claim a exists for 3 seats/);
    await expect(quota.claim(eventId, buyer, 'z', 0)).rejects.toThrow(/seats must be >= 1/);
  });

  it('lets a lapsed pending claim take no seat, counts it until a hold it took could end, then drops it', async () => {
    const seatMap = new RedisSeatMap(redis, config);
    const holds = new RedisSeatHolds(redis);
    const zone = { zoneId: 3, ticketPrice: 10, rowCount: 2, colCount: 5 };
    await seatMap.openZone(eventId, zone);
    const holdId = newHoldId(eventId, 3);
    try {
      const claim = await quota.claim(eventId, buyer, holdId, 5);
      if (!claim.ok) throw new Error('claim refused');
      await waitPast(claim.notAfter);
      const hold = { holdId, buyerId: buyer, eventId, zoneId: 3, holdMs: 300, notAfter: claim.notAfter };
      expect(await holds.hold({ ...hold, pick: { bestAvailable: 5 } })).toEqual({ code: 'CLAIM_EXPIRED' });
      expect(await seatMap.counters(eventId, 3)).toMatchObject({ zoneLeft: 10 });
      // Past notAfter, still counted: had the hold come just in time, its seats would still be held.
      expect(await quota.claim(eventId, buyer, 'next', 4)).toEqual({
        ok: false,
        code: 'BUYER_LIMIT',
        held: 5,
        limit: 8,
      });
      await waitPast(claim.notAfter + KEEP_MS);
      expect(await quota.claim(eventId, buyer, 'next', 8)).toMatchObject({ ok: true });
      expect(Object.keys(await ledger())).toEqual(['next']);
    } finally {
      const keys = holdKeys(eventId, 3, holdId);
      await redis.del(keys.record, zoneKeys(eventId, 3).counts, zoneKeys(eventId, 3).seats);
      await redis.zrem(keys.expiryIndex, holdId);
    }
  });

  it("counts a held claim until its hold's expiresAt plus the grace, then drops it", async () => {
    expect(await quota.claim(eventId, buyer, 'h', 4)).toMatchObject({ ok: true });
    const expiresAt = (await redisNowMs()) + 100;
    await quota.held(eventId, buyer, 'h', 4, expiresAt);
    expect((await ledger()).h).toBe(`4|held|${expiresAt + settings.graceMs}`);
    await waitPast(expiresAt);
    expect(await quota.claim(eventId, buyer, 'x', 5)).toMatchObject({ ok: false, held: 4 });
    await waitPast(expiresAt + settings.graceMs);
    expect(await quota.claim(eventId, buyer, 'x', 5)).toMatchObject({ ok: true });
    expect(Object.keys(await ledger())).toEqual(['x']);
  });

  it('keeps a sold claim for good with no TTL on the key; a ledger without one expires a day after its last deadline', async () => {
    const claim = await quota.claim(eventId, buyer, 'p', 2);
    const pttl = await redis.pttl(buyerQuotaKey(eventId, buyer));
    const expected = (claim.ok ? claim.notAfter : 0) + KEEP_MS + 86_400_000 - (await redisNowMs());
    expect(pttl).toBeGreaterThan(expected - 1000);
    expect(pttl).toBeLessThanOrEqual(expected + 1000);
    expect(await quota.claim(eventId, buyer, 's', 3)).toMatchObject({ ok: true });
    expect(await quota.sold(eventId, buyer, 's')).toBe(true);
    expect(await redis.pttl(buyerQuotaKey(eventId, buyer))).toBe(-1);
    await waitPast((await redisNowMs()) + settings.claimMs + KEEP_MS);
    expect(await quota.claim(eventId, buyer, 't', 6)).toEqual({ ok: false, code: 'BUYER_LIMIT', held: 3, limit: 8 });
    expect(await quota.claim(eventId, buyer, 't', 5)).toMatchObject({ ok: true });
    expect(await redis.pttl(buyerQuotaKey(eventId, buyer))).toBe(-1);
  });

  it('makes every transition idempotent: held, sold, release and refund repeated change nothing more', async () => {
    const expiresAt = (await redisNowMs()) + 60_000;
    expect(await quota.claim(eventId, buyer, 'h', 3)).toMatchObject({ ok: true });
    await quota.held(eventId, buyer, 'h', 3, expiresAt);
    await quota.held(eventId, buyer, 'h', 3, expiresAt);
    expect(await ledger()).toEqual({ h: `3|held|${expiresAt + settings.graceMs}` });
    expect(await quota.sold(eventId, buyer, 'h')).toBe(true);
    expect(await quota.sold(eventId, buyer, 'h')).toBe(false);
    // A late `held` (a slow hold handler) never turns a sold claim back into one that expires.
    await quota.held(eventId, buyer, 'h', 3, expiresAt);
    expect(await ledger()).toEqual({ h: '3|sold|0' });
    expect(await quota.refund(eventId, buyer, 'h', 'ticket-1', 1)).toBe(true);
    expect(await quota.refund(eventId, buyer, 'h', 'ticket-1', 1)).toBe(false);
    expect(await counted()).toBe(2);
    expect(await quota.refund(eventId, buyer, 'h', 'ticket-2', 1)).toBe(true);
    expect(await quota.refund(eventId, buyer, 'h', 'ticket-3', 1)).toBe(true);
    expect(await ledger()).toEqual({
      'refund:ticket-1': '0|sold|0',
      'refund:ticket-2': '0|sold|0',
      'refund:ticket-3': '0|sold|0',
    });
    expect(await quota.refund(eventId, buyer, 'h', 'ticket-3', 1)).toBe(false);
    expect(await counted()).toBe(0);
    // Released claims: gone, once; selling a released claim writes nothing.
    expect(await quota.claim(eventId, buyer, 'r', 2)).toMatchObject({ ok: true });
    await quota.release(eventId, buyer, 'r');
    await quota.release(eventId, buyer, 'r');
    expect(await quota.sold(eventId, buyer, 'r')).toBe(false);
    expect((await ledger()).r).toBeUndefined();
    // `held` after a racing release writes the entry back: it counts more, until the hold's end, never less.
    await quota.held(eventId, buyer, 'r', 2, expiresAt);
    expect((await ledger()).r).toBe(`2|held|${expiresAt + settings.graceMs}`);
  });
});

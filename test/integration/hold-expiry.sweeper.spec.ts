import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Zone } from '../../src/catalog/catalog.schema';
import type { BuyerQuota } from '../../src/orders/buyer-limit/buyer-quota.port';
import { HoldExpirySweeper } from '../../src/orders/expire-holds/hold-expiry.sweeper';
import { HoldMetrics } from '../../src/orders/hold-metrics';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { holdKeys, newHoldId } from '../../src/purchasing/seat-map/hold.keys';
import { deleteZoneAndHolds } from '../support/hold-cleanup';
import { RedisSeatHolds } from '../../src/purchasing/seat-map/redis-seat-holds';
import { RedisSeatMap } from '../../src/purchasing/seat-map/redis-seat-map';
import { freshEventId, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

const config = testConfig({ HOLD_SWEEP_INTERVAL_MS: '20' });

/** A quota that grants everything and records which claims were released (what the sweeper tells it). */
class RecordingQuota implements BuyerQuota {
  readonly released: string[] = [];
  claim() {
    return Promise.resolve({ ok: true as const, notAfter: 0 });
  }
  held() {
    return Promise.resolve();
  }
  sold() {
    return Promise.resolve(true);
  }
  release(_eventId: string, buyerId: string, claimId: string) {
    this.released.push(`${buyerId}/${claimId}`);
    return Promise.resolve();
  }
  refund() {
    return Promise.resolve(false);
  }
}
const zone: Zone = { zoneId: 3, ticketPrice: 10, rowCount: 4, colCount: 10 };

describe('HoldExpirySweeper on Redis', () => {
  let redis: Redis;
  let seatMap: RedisSeatMap;
  let holds: RedisSeatHolds;
  let eventId: string;
  let holdIds: string[];

  const sweeper = (quota: BuyerQuota = new RecordingQuota(), registry = new Registry()) => {
    const metrics = new HoldMetrics(registry);
    return { sweeper: new HoldExpirySweeper(holds, metrics, quota, config), registry };
  };

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 5000, 'hold-sweeper-test');
    await redis.connect();
    seatMap = new RedisSeatMap(redis, config);
    holds = new RedisSeatHolds(redis);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    eventId = freshEventId('sweep');
    holdIds = [];
    await seatMap.openZone(eventId, zone);
  });
  afterEach(async () => {
    await deleteZoneAndHolds(redis, eventId, zone.zoneId, holdIds);
  });

  const hold = async (row: string, column: number, holdMs: number, buyerId = 'buyer-1'): Promise<string> => {
    const holdId = newHoldId(eventId, zone.zoneId);
    holdIds.push(holdId);
    const outcome = await holds.hold({
      holdId,
      buyerId,
      eventId,
      zoneId: zone.zoneId,
      holdMs,
      pick: { seats: [{ row, column }] },
    });
    expect(outcome.code).toBe('HELD');
    return holdId;
  };
  const zoneLeft = async () => (await seatMap.counters(eventId, zone.zoneId))!.zoneLeft;

  it('releases the holds past expiresAt, only those, tells the buyer quota, and counts them as expired', async () => {
    const quota = new RecordingQuota();
    const { sweeper: sweep, registry } = sweeper(quota);
    const due = await hold('A', 1, 20, 'buyer-due');
    const later = await hold('A', 2, 600_000);
    await sleep(40);
    expect(await sweep.sweepOnce()).toBeGreaterThanOrEqual(1);
    expect(await holds.find(due)).toBeNull();
    expect((await holds.find(later))?.status).toBe('held');
    expect(await zoneLeft()).toBe(40 - 1);
    expect(quota.released).toContain(`buyer-due/${due}`);
    expect(await registry.metrics()).toMatch(/tickets_holds_expired_total [1-9]/);
    // Nothing due any more: a second sweep releases nothing of this test's.
    await sweep.sweepOnce();
    expect((await holds.find(later))?.status).toBe('held');
  });

  it('drops an expiry index entry whose record is gone', async () => {
    const holdId = await hold('B', 1, 10);
    const keys = holdKeys(eventId, zone.zoneId, holdId);
    await redis.del(keys.record);
    await sleep(30);
    await sweeper().sweeper.sweepOnce();
    expect(await redis.zscore(keys.expiryIndex, holdId)).toBeNull();
  });

  it('two sweepers at once release every hold exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => hold(String.fromCharCode(65 + (i % 3)), 1 + Math.floor(i / 3), 20)),
    );
    await sleep(40);
    // Each successful release tells the quota: the calls of both sweepers name each hold once.
    const quota = new RecordingQuota();
    await Promise.all([sweeper(quota).sweeper.sweepOnce(), sweeper(quota).sweeper.sweepOnce()]);
    const released = quota.released.map((entry) => entry.split('/')[1]!);
    expect(released.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await holds.find(id)).toBeNull();
    expect(await zoneLeft()).toBe(40);
  });

  it('sweeps on its interval once started, and not at all once stopped', async () => {
    const { sweeper: sweep } = sweeper();
    sweep.onApplicationBootstrap();
    const first = await hold('C', 1, 10);
    const deadline = Date.now() + 5000;
    while ((await holds.find(first)) !== null && Date.now() < deadline) await sleep(10);
    expect(await holds.find(first)).toBeNull();

    await sweep.beforeApplicationShutdown();
    const second = await hold('C', 2, 10);
    await sleep(200);
    expect((await holds.find(second))?.status).toBe('held');
  });
});

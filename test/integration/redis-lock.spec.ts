import type { Redis } from 'ioredis';
import { RedisLock } from '../../src/seat-recovery/redis-lock';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { freshEventId, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

describe('RedisLock: one holder at a time', () => {
  let redis: Redis;
  let key: string;

  beforeAll(async () => {
    redis = createRedis(testConfig().REDIS_URL, 2000, 'lock-test');
    await redis.connect();
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    key = `test-lock:${freshEventId('lock')}`;
  });
  afterEach(async () => {
    await redis.del(key);
  });

  it('gives the lease to one of two contenders, and to the other once released', async () => {
    const first = new RedisLock(redis, key, 5000);
    const second = new RedisLock(redis, key, 5000);
    expect(await Promise.all([first.acquire(), second.acquire()])).toEqual([true, false]);
    expect([first.held, second.held]).toEqual([true, false]);
    await first.release();
    expect(first.held).toBe(false);
    expect(await second.acquire()).toBe(true);
    await second.release();
  });

  it('never releases a lease another holder took after it lapsed', async () => {
    const stale = new RedisLock(redis, key, 5000);
    expect(await stale.acquire()).toBe(true);
    // The lease lapses (simulated), another process takes it, then the stale holder releases.
    await redis.del(key);
    const current = new RedisLock(redis, key, 5000);
    expect(await current.acquire()).toBe(true);
    await stale.release();
    expect(await redis.exists(key)).toBe(1);
    expect(current.held).toBe(true);
    await current.release();
    expect(await redis.exists(key)).toBe(0);
  });

  it('keeps renewing the lease while held, past its time to live', async () => {
    const lock = new RedisLock(redis, key, 600);
    expect(await lock.acquire()).toBe(true);
    await sleep(1500);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(lock.held).toBe(true);
    await lock.release();
  });

  it('notices a lease taken over by another holder at its next renewal', async () => {
    const lock = new RedisLock(redis, key, 600);
    expect(await lock.acquire()).toBe(true);
    await redis.set(key, 'someone-else');
    await sleep(500);
    expect(lock.held).toBe(false);
    expect(await redis.get(key)).toBe('someone-else');
  });
});

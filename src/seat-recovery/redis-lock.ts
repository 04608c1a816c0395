import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A lease on one Redis key: SET NX PX with a random token, renewed and released only by its holder (compare
 * and act in one script). It keeps work from being done twice, not correctness: what the holder writes must
 * stay right if the lease lapses (the seat-map rebuild only creates missing zones).
 */
export class RedisLock {
  private token: string | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private confirmedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** True while this process holds the lease: taken or renewed less than its time to live ago. */
  get held(): boolean {
    return this.token !== undefined && Date.now() - this.confirmedAt < this.ttlMs;
  }

  /** Takes the lease if free and keeps renewing it (every third of its time to live) until release(). */
  async acquire(): Promise<boolean> {
    const token = randomUUID();
    if ((await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') return false;
    this.token = token;
    this.confirmedAt = Date.now();
    this.renewal = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.renewal.unref();
    return true;
  }

  async release(): Promise<void> {
    const token = this.token;
    this.stopRenewing();
    if (token !== undefined) await this.redis.eval(RELEASE, 1, this.key, token).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    const token = this.token;
    if (token === undefined) return;
    const startedAt = Date.now();
    // A failed call (Redis unreachable) is tried again at the next tick; `held` turns false once the lease
    // may have lapsed.
    const renewed = await this.redis.eval(RENEW, 1, this.key, token, this.ttlMs).catch(() => undefined);
    if (this.token !== token) return;
    if (renewed === 1) this.confirmedAt = startedAt;
    else if (renewed === 0) this.stopRenewing();
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
    this.token = undefined;
  }
}

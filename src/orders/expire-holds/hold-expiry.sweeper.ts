import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { RedisSeatHolds } from '../../purchasing/seat-map/redis-seat-holds';
import { SEAT_PARTITIONS } from '../../purchasing/seat-map/seat-map.keys';
import { BUYER_QUOTA, type BuyerQuota } from '../buyer-limit/buyer-quota.port';
import { HoldMetrics } from '../hold-metrics';

/** Due holds read per partition per sweep: bounds one sweep's work; the rest is next sweep's. */
const DUE_PER_PARTITION = 500;
const WARN_EVERY_MS = 60_000;

/**
 * Gives expired holds' seats back: every HOLD_SWEEP_INTERVAL_MS, the holds of each partition's expiry index
 * whose expiresAt has come by the Redis clock (due-holds.lua) are released (release-hold.lua). Every API
 * process runs one and needs no coordination: a release is one atomic, idempotent script, so two sweepers
 * releasing the same hold free its seats once; and a confirm at the same instant is decided by the same
 * clock in the same slot (confirm-hold.lua), so a hold is confirmed or released, never both.
 *
 * A seat is back on sale at most one interval plus one sweep after its hold's expiresAt (the e2e test
 * measures it); stopping every API process only delays releases, it loses none: the index is in Redis.
 */
@Injectable()
export class HoldExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HoldExpirySweeper.name);
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private sweep: Promise<void> | undefined;
  private lastWarnAt = 0;

  constructor(
    private readonly holds: RedisSeatHolds,
    private readonly metrics: HoldMetrics,
    @Inject(BUYER_QUOTA) private readonly quota: BuyerQuota,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.schedule();
  }

  /** Before the Redis connections close (their onApplicationShutdown): the sweep in hand finishes first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.sweep;
  }

  /** Releases the holds due now; returns how many this call released. */
  async sweepOnce(): Promise<number> {
    const partitions = Array.from({ length: SEAT_PARTITIONS }, (_, p) => p);
    // Sent together: on one Redis, auto-pipelining makes them one round trip; on a cluster, one per shard.
    const due = (await Promise.all(partitions.map((p) => this.holds.due(p, DUE_PER_PARTITION)))).flat();
    if (due.length === 0) return 0;
    const released = await Promise.all(due.map((holdId) => this.expire(holdId)));
    const count = released.filter(Boolean).length;
    this.metrics.count('expired', count);
    return count;
  }

  private async expire(holdId: string): Promise<boolean> {
    const hold = await this.holds.find(holdId);
    if (hold === null) {
      await this.holds.forget(holdId);
      return false;
    }
    // A confirmed hold left the index in the same call; a stale read of it is simply skipped by release.
    if (!(await this.holds.release(hold.eventId, hold.zoneId, holdId))) return false;
    await this.quota.release(hold.eventId, hold.buyerId, holdId);
    return true;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.sweep = this.sweepOnce()
        .then(
          () => undefined,
          (error: unknown) => this.warn(error),
        )
        .finally(() => {
          this.sweep = undefined;
          this.schedule();
        });
    }, this.config.HOLD_SWEEP_INTERVAL_MS);
    // The server keeps an API process alive; a start-up that failed before serving must still be able to exit.
    this.timer.unref();
  }

  /** Redis away: the holds wait in the index, and the next sweep after it is back releases them. */
  private warn(error: unknown): void {
    if (Date.now() - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = Date.now();
    this.logger.warn(`hold expiry sweep failed, retried next interval: ${(error as Error).message}`);
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { topologyFor } from '../platform/amqp/topology';
import { REDIS } from '../platform/redis/redis.factory';
import type { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';
import { PIPELINE_SERVERS } from '../platform/amqp/pipeline-servers.token';
import { REPORT_INTERVAL_MS, REPORT_TTL_MS, type DrainReport } from './drain-report';
import { seatRebuildKeys, type SeatRebuildKeys } from '../purchasing/seat-map/seat-rebuild.keys';

const REMEMBERED_BARRIERS = 20;
const WORKERS_INDEX_TTL_MS = 60_000;

/**
 * Every worker runs one: it publishes a DrainReport about its write-store pipeline to Redis, so the worker
 * rebuilding a seat map can tell when every ticket relayed before a point in time is in the event store,
 * whichever worker holds it (see WriteStoreDrainBarrier).
 *
 * When it first sees a new drain round it notes how many messages its pipeline had received; it reports the
 * round settled once the oldest unacknowledged message is younger than that, on the same consumer.
 */
@Injectable()
export class WriteStoreDrainReporter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WriteStoreDrainReporter.name);
  readonly workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly keys: SeatRebuildKeys;
  private readonly server: AmqpPipelineServer;
  private readonly barriers: string[] = [];
  private round: string | undefined;
  private receivedAtRound = 0;
  private epochAtRound = -1;
  private timer: NodeJS.Timeout | undefined;
  private reporting: Promise<void> | undefined;
  private failures = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PIPELINE_SERVERS) servers: AmqpPipelineServer[],
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = seatRebuildKeys(config.AMQP_NAMESPACE);
    const queue = topologyFor(config.AMQP_NAMESPACE).pipelines.writeStore;
    const server = servers.find((s) => s.queue === queue);
    if (server === undefined) throw new Error(`no pipeline server consumes ${queue}`);
    this.server = server;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.reporting ??= this.report().finally(() => (this.reporting = undefined));
    }, REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the Redis connection closes (WorkerRedisLifecycle). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.reporting;
    // Gone at once rather than after REPORT_TTL_MS: a drain in progress restarts without waiting for it.
    await this.redis
      .multi()
      .del(this.keys.worker(this.workerId))
      .srem(this.keys.workers, this.workerId)
      .exec()
      .catch(() => undefined);
  }

  /** Called by the write-store pipeline when it handles a barrier message. */
  barrierPassed(barrierId: string): void {
    this.barriers.push(barrierId);
    if (this.barriers.length > REMEMBERED_BARRIERS) this.barriers.shift();
  }

  private async report(): Promise<void> {
    try {
      const round = (await this.redis.get(this.keys.round)) ?? '';
      // Read after the round: whatever was received before the round began is counted in.
      const settlement = this.server.settlement;
      if (round !== this.round) {
        this.round = round;
        this.receivedAtRound = settlement.delivered;
        this.epochAtRound = settlement.epoch;
      }
      const report: DrainReport = {
        epoch: settlement.epoch,
        consuming: this.server.consuming,
        round,
        settled: settlement.epoch === this.epochAtRound && settlement.oldestUnsettled > this.receivedAtRound,
        barriers: [...this.barriers],
      };
      await this.redis
        .multi()
        .set(this.keys.worker(this.workerId), JSON.stringify(report), 'PX', REPORT_TTL_MS)
        .sadd(this.keys.workers, this.workerId)
        // The index goes too once no worker of the namespace is left (a test run's, a bench's).
        .pexpire(this.keys.workers, WORKERS_INDEX_TTL_MS)
        .exec();
      this.failures = 0;
    } catch (error) {
      // Redis unreachable: the pipelines do not need it; only a seat-map rebuild waits for these reports.
      if (this.failures++ % 100 === 0) this.logger.warn(`drain report not written: ${(error as Error).message}`);
    }
  }
}

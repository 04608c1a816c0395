import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { sleep, withTimeout } from '../platform/time';
import { ticketMessageJson } from '../platform/amqp/ticket-message';
import { topologyFor } from '../platform/amqp/topology';
import { AMQP_CONNECTION_NAMES, openAmqpConnection } from '../platform/amqp/amqp-connection.factory';
import { REDIS } from '../platform/redis/redis.factory';
import { writeStoreDeadLetters, type DeadLetterCount } from './dead-letters';
import { barrierSeen, roundSettled, workersChanged, type DrainReport } from './drain-report';
import { seatRebuildKeys, type SeatRebuildKeys } from '../purchasing/seat-map/seat-rebuild.keys';

/** Pattern of the barrier message; handled by WriteStoreBarrierPipelineController. */
export const WRITE_STORE_BARRIER = 'WriteStoreBarrier';

/** The barrier waits behind whatever backlog the queue holds: generous, then the pass starts over. */
const BARRIER_TIMEOUT_MS = 120_000;
const ROUND_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

/** What one pass found: drained; not proven (try again); or blocked by dead letters (an operator must act). */
export type DrainPass =
  | { readonly status: 'DRAINED' }
  | { readonly status: 'NOT_PROVEN' }
  | { readonly status: 'DEAD_LETTERS'; readonly deadLetters: DeadLetterCount };

const NOT_PROVEN: DrainPass = { status: 'NOT_PROVEN' };

/**
 * Proves that every message the write-store queue held before `pass()` began has been written to the event
 * store, with any number of workers consuming the queue, and while new messages keep arriving behind it:
 *
 * 1. The queue's consumers are exactly the workers reporting to Redis (WriteStoreDrainReporter).
 * 2. A barrier message is sent straight to the queue; the queue delivers in order, so once a worker has
 *    handled it, every earlier message has been delivered to some consumer.
 * 3. A new drain round begins; each worker notes what it had received when it saw the round and reports
 *    `settled` once all of that is acknowledged. Every counted worker must do so on the consumer it had at
 *    step 1: a replaced consumer returns its unacknowledged messages to the queue (possibly behind the
 *    barrier), and a worker that vanished may still hold some; either makes the pass fail, to be tried again.
 * 4. The consumer count is unchanged (no consumer joined that was not counted).
 * 5. The write-store dead-letter queue is empty. A worker acknowledges a message it dead-letters only once the
 *    dead-letter queue has it, so whatever was dead-lettered before the round settled is counted here: a
 *    dead-lettered message is not settled, it is a ticket that may be missing (see writeStoreDeadLetters).
 *    The queue is also looked at first, so a blocked rebuild sends no barrier messages.
 *
 * A failed pass proves nothing and harms nothing; the caller tries again. Every failure mode waits, none
 * passes early.
 */
@Injectable()
export class WriteStoreDrainBarrier {
  private readonly keys: SeatRebuildKeys;
  private readonly queue: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keys = seatRebuildKeys(config.AMQP_NAMESPACE);
    this.queue = topologyFor(config.AMQP_NAMESPACE).pipelines.writeStore;
  }

  /** DRAINED when the drain is proven; NOT_PROVEN when this pass could not prove it (or `abort` turned true). */
  async pass(abort: () => boolean): Promise<DrainPass> {
    // The factory's error listener keeps a connection error from crashing the worker; the calls below then fail.
    const connection = await openAmqpConnection(this.config.AMQP_URL, AMQP_CONNECTION_NAMES.drainBarrier);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      const before = await writeStoreDeadLetters(channel, this.config.AMQP_NAMESPACE);
      if (before.count > 0) return { status: 'DEAD_LETTERS', deadLetters: before };
      const consumers = (await channel.checkQueue(this.queue)).consumerCount;
      const workers = new Map([...(await this.reports())].filter(([, report]) => report.consuming));
      if (consumers === 0 || workers.size !== consumers) return NOT_PROVEN;

      const barrierId = randomUUID();
      channel.sendToQueue(
        this.queue,
        Buffer.from(ticketMessageJson(WRITE_STORE_BARRIER, [JSON.stringify({ barrierId })])),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: `barrier:${barrierId}`,
          type: WRITE_STORE_BARRIER,
        },
      );
      await withTimeout(channel.waitForConfirms(), 10_000, 'broker confirm of the drain barrier');
      if (!(await this.until(workers, (reports) => barrierSeen(reports, barrierId), BARRIER_TIMEOUT_MS, abort))) {
        return NOT_PROVEN;
      }

      const round = randomUUID();
      // Expires: a round only matters while a pass waits for it.
      await this.redis.set(this.keys.round, round, 'PX', 10 * ROUND_TIMEOUT_MS);
      if (!(await this.until(workers, (reports) => roundSettled(workers, reports, round), ROUND_TIMEOUT_MS, abort))) {
        return NOT_PROVEN;
      }
      if ((await channel.checkQueue(this.queue)).consumerCount !== consumers) return NOT_PROVEN;
      const after = await writeStoreDeadLetters(channel, this.config.AMQP_NAMESPACE);
      return after.count > 0 ? { status: 'DEAD_LETTERS', deadLetters: after } : { status: 'DRAINED' };
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  private async until(
    workers: ReadonlyMap<string, DrainReport>,
    done: (reports: ReadonlyMap<string, DrainReport>) => boolean,
    timeoutMs: number,
    abort: () => boolean,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !abort()) {
      const reports = await this.reports();
      if (workersChanged(workers, reports)) return false;
      if (done(reports)) return true;
      await sleep(POLL_MS);
    }
    return false;
  }

  /** The live reports by worker id; ids whose report expired are dropped from the set. */
  private async reports(): Promise<Map<string, DrainReport>> {
    const ids = await this.redis.smembers(this.keys.workers);
    const reports = new Map<string, DrainReport>();
    if (ids.length === 0) return reports;
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    const expired: string[] = [];
    ids.forEach((id, i) => {
      const value = values[i];
      if (value === null || value === undefined) expired.push(id);
      else reports.set(id, JSON.parse(value) as DrainReport);
    });
    if (expired.length > 0) await this.redis.srem(this.keys.workers, ...expired);
    return reports;
  }
}

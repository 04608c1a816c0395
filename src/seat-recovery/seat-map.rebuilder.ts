import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/mysql';
import type { Redis } from 'ioredis';
import type { Catalog, SaleEvent, Venue } from '../catalog/catalog.schema';
import { CATALOG } from '../catalog/catalog.service';
import { EventRepository } from '../catalog/event.repository';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { OUTBOX_GROUP, outboxScripts } from '../purchasing/outbox/outbox-scripts';
import { outboxKey, partitionOf } from '../purchasing/seat-map/seat-map.keys';
import { SEAT_MAP, type SeatMap } from '../purchasing/seat-map/seat-map.port';
import { ReadModelEvents } from '../read-model/read-model-events';
import { READ_MODEL_ORM } from '../read-model/read-model-orm';
import { TicketProjection } from '../read-model/ticket.projection';
import { REDIS } from '../platform/redis/redis.factory';
import { sleep } from '../platform/time';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../write-store/ticket-write-store.port';
import { EventConsistency } from './event-consistency';
import { deadLettersRefusal } from './dead-letters';
import { RedisLock } from './redis-lock';
import { seatRebuildKeys } from '../purchasing/seat-map/seat-rebuild.keys';
import { SeatRebuildRequests } from '../purchasing/seat-map/seat-rebuild.requests';
import { WriteStoreDrainBarrier } from './write-store-drain.barrier';

const POLL_MS = 1000;
const LOCK_TTL_MS = 30_000;
const WAIT_STEP_MS = 100;
const WAIT_LOG_EVERY_MS = 15_000;
/** Between looks at a dead-letter queue that blocks the rebuild: only an operator can empty it. */
const DEAD_LETTER_RECHECK_MS = 2000;

interface EventPlan {
  eventId: string;
  event: SaleEvent;
  /** False when the read model lacks the event's name, type or date (see ReadModelEvents.findSaleEvent). */
  complete: boolean;
  venue: Venue;
  /** Zones without a seat map when the plan was made: the only ones this pass may rebuild. */
  missing: Set<number>;
  recordMissing: boolean;
}

class RebuildAborted extends Error {}

/**
 * Rebuilds the seat maps Redis has lost, automatically, in the worker (which has the event store and sees
 * the write-store pipeline). The API asks (SeatRebuildRequests) when a purchase finds an event but not its
 * zone, and answers 503 with Retry-After meanwhile. Every worker polls the requests; the one that takes the
 * lock (RedisLock) rebuilds them all:
 *
 * 1. Notes which zones are missing now. Only those are rebuilt: a zone lost later could hold reservations
 *    newer than the drain below.
 * 2. Waits until every outbox entry of those zones' partitions written before step 1 has been relayed: the
 *    relay deletes an entry only once the broker has confirmed it.
 * 3. Waits until the write-store pipeline has written everything queued before that (WriteStoreDrainBarrier)
 *    and its dead-letter queue is empty (a dead-lettered ticket is not in DynamoDB; an operator replays it
 *    with `npm run replay:dlq`, and the error log says so). Every ticket reserved in a missing zone is now in
 *    DynamoDB: no new one can be, since a missing zone answers "not open" to every reservation.
 * 4. Rebuilds each missing zone from DynamoDB's live tickets, in one script call per zone that only creates a
 *    zone still missing (never overwriting a zone that came back meanwhile), then restores the event's
 *    record. Sales of a zone resume the moment its map exists, and it exists only complete.
 */
@Injectable()
export class SeatMapRebuilder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SeatMapRebuilder.name);
  private readonly lock: RedisLock;
  private readonly consistency: EventConsistency;
  private readonly venues: Map<string, Venue>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private failures = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CATALOG) catalog: Catalog,
    @Inject(SEAT_MAP) private readonly seatMap: SeatMap,
    @Inject(TICKET_WRITE_STORE) writeStore: TicketWriteStore,
    @Inject(READ_MODEL_ORM) orm: MikroORM,
    projection: TicketProjection,
    private readonly events: EventRepository,
    private readonly readModelEvents: ReadModelEvents,
    private readonly requests: SeatRebuildRequests,
    private readonly drain: WriteStoreDrainBarrier,
  ) {
    this.lock = new RedisLock(redis, seatRebuildKeys(config.AMQP_NAMESPACE).lock, LOCK_TTL_MS);
    this.venues = new Map(catalog.venues.map((v) => [v.venueId, v]));
    this.consistency = new EventConsistency({ seatMap, events, venues: this.venues, writeStore, orm, projection });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.pass()
        .then(
          () => {
            this.failures = 0;
          },
          (error: Error) => {
            if (error instanceof RebuildAborted) this.logger.warn(`seat-map rebuild interrupted: ${error.message}`);
            else if (this.failures++ % 30 === 0)
              this.logger.warn(`seat-map rebuild failed, will retry: ${error.message}`);
          },
        )
        .finally(() => (this.running = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  /** Before the connections close: a rebuild in progress stops at its next step and leaves its request. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One look at the requests; with the lock, rebuilds every requested event. */
  async pass(): Promise<void> {
    const requested = await this.requests.pending();
    if (requested.length === 0 || this.stopping) return;
    if (!(await this.lock.acquire())) return;
    try {
      const plans: EventPlan[] = [];
      for (const eventId of requested) {
        const plan = await this.plan(eventId);
        if (plan !== undefined) plans.push(plan);
      }
      for (const plan of plans.filter((p) => p.missing.size === 0)) {
        if (plan.recordMissing) {
          this.warnIfIncomplete(plan);
          await this.events.create(plan.event);
        }
        await this.requests.done(plan.eventId);
      }
      const lost = plans.filter((p) => p.missing.size > 0);
      if (lost.length === 0) return;
      const startedAt = Date.now();
      this.logger.warn(
        `Redis lost seat maps of ${lost.map((p) => `${p.eventId} (${p.missing.size} zone(s))`).join(', ')}: ` +
          'rebuilding from the event store once the tickets already sold have reached it',
      );
      await this.waitForOutbox(await this.outboxBarriers(lost));
      await this.waitForWriteStore(lost);
      for (const plan of lost) {
        this.ensureLock();
        this.warnIfIncomplete(plan);
        // Restores the event's record too, after its zones.
        const { taken, rebuiltZones } = await this.consistency.rebuildSeats(
          plan.eventId,
          () => undefined,
          plan.event,
          plan.missing,
        );
        await this.requests.done(plan.eventId);
        this.logger.log(
          `event ${plan.eventId}: ${rebuiltZones} zone(s) rebuilt from DynamoDB, ${taken} seat(s) taken, ` +
            `${Date.now() - startedAt} ms after the rebuild began; sales resume`,
        );
      }
    } finally {
      await this.lock.release();
    }
  }

  private async plan(eventId: string): Promise<EventPlan | undefined> {
    const record = await this.events.find(eventId);
    const known = record === undefined ? await this.readModelEvents.findSaleEvent(eventId) : undefined;
    const event = record ?? known?.event;
    const venue = event === undefined ? undefined : this.venues.get(event.venueId);
    if (event === undefined || venue === undefined) {
      this.logger.warn(`event ${eventId}: unknown to Redis, the read model or the catalog; rebuild request dropped`);
      await this.requests.done(eventId);
      return undefined;
    }
    const open = await Promise.all(venue.zones.map((zone) => this.seatMap.isOpen(eventId, zone.zoneId)));
    const missing = new Set(venue.zones.filter((_, i) => !open[i]).map((zone) => zone.zoneId));
    return { eventId, event, complete: known?.complete ?? true, venue, missing, recordMissing: record === undefined };
  }

  private warnIfIncomplete(plan: EventPlan): void {
    if (plan.recordMissing && !plan.complete) {
      this.logger.warn(
        `event ${plan.eventId}: the read model has no name, type or date for it; its record is restored with stand-ins`,
      );
    }
  }

  /**
   * The last id each outbox stream of the lost zones' partitions had generated, read after the zones were
   * found missing: every reservation in them has an id at or below it. A stream Redis lost has none.
   */
  private async outboxBarriers(plans: readonly EventPlan[]): Promise<Map<string, string>> {
    const keys = new Set(
      plans.flatMap((p) => [...p.missing].map((zoneId) => outboxKey(partitionOf(p.eventId, zoneId)))),
    );
    const barriers = new Map<string, string>();
    for (const key of keys) {
      const info = (await this.redis.xinfo('STREAM', key).catch((error: Error) => {
        if (/no such key/i.test(error.message)) return undefined;
        throw error;
      })) as unknown[] | undefined;
      if (info === undefined) continue;
      const at = info.indexOf('last-generated-id');
      if (at >= 0) barriers.set(key, String(info[at + 1]));
    }
    return barriers;
  }

  private async waitForOutbox(barriers: Map<string, string>): Promise<void> {
    let nextLog = Date.now() + WAIT_LOG_EVERY_MS;
    const scripts = outboxScripts(this.redis);
    for (const [key, barrier] of barriers) {
      // The backlog script first deletes entries the group acknowledged that a stopped relay never deleted:
      // they are relayed, and would otherwise hold this wait forever.
      while (
        (await scripts.outboxBacklog(key, OUTBOX_GROUP)) > 0 &&
        (await this.redis.xrange(key, '-', barrier, 'COUNT', 1)).length > 0
      ) {
        this.ensureLock();
        if (Date.now() > nextLog) {
          nextLog = Date.now() + WAIT_LOG_EVERY_MS;
          this.logger.warn(`seat-map rebuild waiting for ${key} to be relayed to the broker (is an API running?)`);
        }
        await sleep(WAIT_STEP_MS);
      }
    }
  }

  private async waitForWriteStore(plans: readonly EventPlan[]): Promise<void> {
    let nextLog = Date.now() + WAIT_LOG_EVERY_MS;
    let nextDeadLetterLog = 0;
    for (;;) {
      const pass = await this.drain.pass(() => this.stopping || !this.lock.held);
      if (pass.status === 'DRAINED') return;
      this.ensureLock();
      if (pass.status === 'DEAD_LETTERS') {
        if (Date.now() >= nextDeadLetterLog) {
          nextDeadLetterLog = Date.now() + WAIT_LOG_EVERY_MS;
          this.logger.error(
            `seat-map rebuild of ${plans.map((p) => p.eventId).join(', ')} refused: ${deadLettersRefusal(pass.deadLetters)}; ` +
              'purchases in the lost zone(s) answer 503 meanwhile',
          );
        }
        await sleep(DEAD_LETTER_RECHECK_MS);
        continue;
      }
      if (Date.now() > nextLog) {
        nextLog = Date.now() + WAIT_LOG_EVERY_MS;
        this.logger.warn('seat-map rebuild waiting for the write-store pipeline to drain');
      }
      await sleep(5 * WAIT_STEP_MS);
    }
  }

  private ensureLock(): void {
    if (this.stopping) throw new RebuildAborted('the worker is stopping');
    if (!this.lock.held) throw new RebuildAborted('the rebuild lock lapsed');
  }
}

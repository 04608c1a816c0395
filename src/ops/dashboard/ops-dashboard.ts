import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { MikroORM } from '@mikro-orm/mysql';
import type { Registry } from 'prom-client';
import { CatalogService } from '../../catalog/catalog.service';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import type { OpsCheckpoint, OpsEvent, OpsPipeline, OpsPurchases, OpsSnapshot } from '../../live/live-messages';
import { LiveSeats } from '../../live/live-seats';
import { SeatFeed } from '../../live/seat-feed';
import { withTimeout } from '../../platform/time';
import { QueueDepthProbe } from '../../platform/amqp/queue-depth.probe';
import { AMQP_CONNECTION_NAMES } from '../../platform/amqp/amqp-connection.factory';
import { deadLetterQueueOf, topologyFor } from '../../platform/amqp/topology';
import { READ_MODEL_ORM } from '../../read-model/read-model-orm';
import { SalesByEventQuery } from '../../read-model/sales-by-event/sales-by-event.query';
import { fromSqlDateTime } from '../../read-model/sql-datetime';
import { METRICS_REGISTRY } from '../../platform/metrics/metrics-registry';
import { WaitingRoomCache } from '../../waiting-room/waiting-room.cache';

/** Bound on each figure: one store that hangs leaves its figure empty, not the whole view late. */
const FIGURE_TIMEOUT_MS = 1000;
/** Rates are taken between samples at least this far apart (one per tick of the live view). */
const MIN_RATE_INTERVAL_MS = 900;

const CREATED = new Set(['RESERVED', 'REPLAYED']);
const CONFLICT = new Set(['SEAT_TAKEN', 'ROW_SOLD_OUT', 'ZONE_SOLD_OUT']);

export type OpsListener = (snapshot: OpsSnapshot) => void;

interface Sample {
  at: number;
  purchases: number;
  created: number;
  conflict: number;
  fed: Map<string, number>;
}

const bounded = <T>(work: Promise<T>, what: string): Promise<T | null> =>
  withTimeout(work, FIGURE_TIMEOUT_MS, what).catch(() => null);

/**
 * The operator's view of a sale, assembled from what the platform already measures: the Prometheus
 * registry (purchase outcomes, outbox backlog), the broker's queue depths, the read model's checkpoints
 * and sales query, and the live feed's count of new seats. While anyone watches, one timer per process
 * refreshes it every second and every watcher of an event gets the same snapshot: the cost does not grow
 * with the number of open pages.
 */
@Injectable()
export class OpsDashboard implements OnApplicationShutdown {
  private readonly queues: QueueDepthProbe;
  private readonly pipelines: { name: string; queue: string }[];
  private readonly listeners = new Map<string, Set<OpsListener>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastSample: Sample | undefined;
  private lastPerSecond: OpsPurchases['perSecond'] = null;
  private readonly lastReservedPerSecond = new Map<string, number>();

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(READ_MODEL_ORM) private readonly orm: MikroORM,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly queryBus: QueryBus,
    private readonly catalog: CatalogService,
    private readonly live: LiveSeats,
    private readonly feed: SeatFeed,
    private readonly waitingRooms: WaitingRoomCache,
  ) {
    this.queues = new QueueDepthProbe(config.AMQP_URL, AMQP_CONNECTION_NAMES.apiQueueDepth, FIGURE_TIMEOUT_MS);
    const { pipelines } = topologyFor(config.AMQP_NAMESPACE);
    this.pipelines = [
      { name: 'write-store', queue: pipelines.writeStore },
      { name: 'read-model', queue: pipelines.readModel },
    ];
  }

  /** Calls `listener` every second with the view of `eventId` (none: global figures only) until stopped. */
  watch(eventId: string | undefined, listener: OpsListener): () => void {
    const key = eventId ?? '';
    let set = this.listeners.get(key);
    if (set === undefined) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    this.timer ??= setInterval(() => void this.tick(), 1000);
    void this.tick();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
      if (this.listeners.size === 0) this.stopTimer();
    };
  }

  /** One view now (the JSON endpoint). */
  async snapshot(eventId: string | undefined): Promise<OpsSnapshot> {
    const global = await this.globalFigures();
    return { ...global, event: eventId === undefined ? null : await this.eventFigures(eventId) };
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    this.stopTimer();
    await this.queues.close();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A tick still running when the next is due (a store answering slowly) makes that one skip. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const global = await this.globalFigures();
      await Promise.all(
        [...this.listeners.keys()].map(async (key) => {
          const event = key === '' ? null : await this.eventFigures(key);
          const snapshot: OpsSnapshot = { ...global, event };
          for (const listener of this.listeners.get(key) ?? []) listener(snapshot);
        }),
      );
    } finally {
      this.ticking = false;
    }
  }

  private async globalFigures(): Promise<Omit<OpsSnapshot, 'event'>> {
    const [outcomes, backlog, pipelines, checkpoints] = await Promise.all([
      this.metricValues('tickets_purchases_total', 'outcome'),
      this.metricValues('tickets_outbox_backlog'),
      Promise.all(this.pipelines.map((p) => this.pipelineFigures(p.name, p.queue))),
      this.checkpointFigures(),
    ]);
    const outboxBacklog = backlog?.[''];
    this.sample(outcomes ?? {});
    return {
      at: new Date().toISOString(),
      purchases: { outcomes: outcomes ?? {}, perSecond: this.lastPerSecond },
      outboxBacklog: outboxBacklog === undefined || Number.isNaN(outboxBacklog) ? null : outboxBacklog,
      pipelines,
      checkpoints: checkpoints ?? [],
      feed: { connected: this.feed.connected, lastDelayMs: this.feed.lastDelayMs },
      waitingRooms: this.waitingRooms.figures(),
    };
  }

  /** Rates between this sample and the previous one, once at least MIN_RATE_INTERVAL_MS apart. */
  private sample(outcomes: Record<string, number>): void {
    let purchases = 0;
    let created = 0;
    let conflict = 0;
    for (const [outcome, count] of Object.entries(outcomes)) {
      purchases += count;
      if (CREATED.has(outcome)) created += count;
      if (CONFLICT.has(outcome)) conflict += count;
    }
    const now = Date.now();
    const fed = this.live.fedCountsByEvent();
    const previous = this.lastSample;
    if (previous !== undefined && now - previous.at < MIN_RATE_INTERVAL_MS) return;
    this.lastSample = { at: now, purchases, created, conflict, fed };
    if (previous === undefined) return;
    const seconds = (now - previous.at) / 1000;
    const rate = (a: number, b: number) => Math.max(0, Math.round(((a - b) / seconds) * 10) / 10);
    this.lastPerSecond = {
      total: rate(purchases, previous.purchases),
      created: rate(created, previous.created),
      conflict: rate(conflict, previous.conflict),
      other: rate(purchases - created - conflict, previous.purchases - previous.created - previous.conflict),
    };
    this.lastReservedPerSecond.clear();
    // An event missing from the previous sample had sold nothing on the feed yet.
    for (const [eventId, count] of fed)
      this.lastReservedPerSecond.set(eventId, rate(count, previous.fed.get(eventId) ?? 0));
  }

  /** A metric's values by one label ('' for an unlabelled metric); null when it could not be collected. */
  private async metricValues(name: string, label?: string): Promise<Record<string, number> | null> {
    const metric = this.registry.getSingleMetric(name);
    if (metric === undefined) return null;
    const collected = await bounded(Promise.resolve(metric.get()), name);
    if (collected === null) return null;
    const values: Record<string, number> = {};
    for (const { value, labels } of collected.values) {
      const key = label === undefined ? '' : String(labels[label] ?? '');
      values[key] = (values[key] ?? 0) + value;
    }
    return values;
  }

  private async pipelineFigures(name: string, queue: string): Promise<OpsPipeline> {
    const [main, dlq] = await Promise.all([
      this.queues.check(queue).catch(() => null),
      this.queues.depth(deadLetterQueueOf(queue)).catch(() => null),
    ]);
    return { name, queue, ready: main?.messageCount ?? null, consumers: main?.consumerCount ?? null, deadLetters: dlq };
  }

  private async checkpointFigures(): Promise<OpsCheckpoint[] | null> {
    const rows = await bounded(
      this.orm.em
        .fork()
        .execute<
          { pipeline: string; last_created_on: string | null; events_applied: number | string; updated_at: string }[]
        >('select pipeline, last_created_on, events_applied, updated_at from projection_checkpoints order by pipeline'),
      'projection checkpoints',
    );
    if (rows === null) return null;
    const now = Date.now();
    return rows.map((row) => {
      const updatedAt = Date.parse(fromSqlDateTime(row.updated_at));
      const createdOn = row.last_created_on === null ? null : Date.parse(fromSqlDateTime(row.last_created_on));
      return {
        pipeline: row.pipeline,
        eventsApplied: Number(row.events_applied),
        lastLagSeconds: createdOn === null ? null : Math.max(0, (updatedAt - createdOn) / 1000),
        idleSeconds: Math.max(0, (now - updatedAt) / 1000),
      };
    });
  }

  private async eventFigures(eventId: string): Promise<OpsEvent | null> {
    const event = await this.catalog.findEvent(eventId).catch(() => undefined);
    if (event === undefined) return null;
    const venue = this.catalog.findVenue(event.venueId);
    const sales = await withTimeout(
      this.queryBus.execute(new SalesByEventQuery(eventId)),
      FIGURE_TIMEOUT_MS,
      'sales by event',
    ).then(
      (figures) => ({ figures }),
      () => null,
    );
    const byZone = new Map(sales?.figures?.zones.map((z) => [z.zoneId, z]));
    return {
      eventId,
      venueId: event.venueId,
      ticketsSold: sales === null ? null : (sales.figures?.ticketsSold ?? 0),
      revenue: sales === null ? null : (sales.figures?.revenue ?? 0),
      zones: (venue?.zones ?? []).map((zone) => ({
        zoneId: zone.zoneId,
        price: zone.ticketPrice,
        capacity: zone.rowCount * zone.colCount,
        sold: byZone.get(zone.zoneId)?.sold ?? 0,
        revenue: byZone.get(zone.zoneId)?.revenue ?? 0,
      })),
      // No feed activity for the event: 0 once there are two samples to compare.
      reservedPerSecond: this.lastReservedPerSecond.get(eventId) ?? (this.lastPerSecond === null ? null : 0),
    };
  }
}

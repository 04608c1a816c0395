import 'reflect-metadata';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mysql';
import type { Redis } from 'ioredis';
import { ApiModule } from '../../src/api.module';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import type { Catalog, Venue } from '../../src/catalog/catalog.schema';
import { OpenSaleCommand } from '../../src/catalog/open-sale/open-sale.command';
import { dynamoDbTarget, type AppConfig } from '../../src/platform/config/app-config';
import { EventConsistency } from '../../src/seat-recovery/event-consistency';
import type { ComparisonReport } from '../../src/seat-recovery/compare-stores';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import type { PurchaseOutcome } from '../../src/purchasing/purchase-outcome';
import { listEventTickets } from '../../src/read-model/event-tickets.maintenance';
import { REDIS } from '../../src/platform/redis/redis.factory';
import { createWorkerApp, type WorkerApp } from '../../src/worker/worker.app';
import { createDynamoClients } from '../../src/write-store/dynamodb.client';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { migrateWriteStore } from '../../src/write-store/migrate-write-store';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { testConfig } from '../support/test-config';
import { SaleResult, type SeatRequest } from './sale-result';
import { sleep } from '../support/time';

export const DEFAULT_CATALOG_FILE = join(__dirname, '..', '..', 'src', 'catalog', 'default-catalog.json');

export interface HarnessOptions {
  /** Commands in flight at once, like the threads of a JMeter run. */
  concurrency?: number;
  /** Environment overrides for both halves (e.g. batch sizes). */
  env?: Record<string, string>;
}

/**
 * The platform without HTTP, in one process, on the real services: the API half (CommandBus, Redis seat
 * maps, outbox relay to RabbitMQ) and the worker half (both pipelines into DynamoDB and MySQL). Scenarios
 * issue commands straight to the bus, wait for the pipelines to drain, then assert on all three stores.
 */
export class DomainHarness {
  private constructor(
    readonly config: AppConfig,
    readonly catalog: Catalog,
    private readonly api: INestApplicationContext,
    private readonly worker: WorkerApp,
    private readonly dynalite: DynaliteServer,
    private readonly orm: MikroORM,
    private readonly writeStore: DynamoTicketWriteStore,
    private readonly dynamoClient: ReturnType<typeof createDynamoClients>,
    readonly consistency: EventConsistency,
    private readonly concurrency: number,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<DomainHarness> {
    const dynalite = await startDynalite();
    const mysqlUrl = throwawayMysqlUrl();
    const orm = await migratedDatabase(mysqlUrl);
    const config = testConfig({
      CATALOG_FILE: DEFAULT_CATALOG_FILE,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      MYSQL_URL: mysqlUrl,
      ...options.env,
    });
    const catalog = loadCatalog(config.CATALOG_FILE);
    // The worker only checks its tables: creating them is the migrate step's job, run here as `npm run migrate` would.
    await migrateWriteStore(config, () => undefined);
    const worker = await createWorkerApp(config);
    await worker.app.init();
    await worker.app.startAllMicroservices();
    const api = await NestFactory.createApplicationContext(ApiModule.forRoot(config, catalog), { logger: ['error'] });
    const dynamoClient = createDynamoClients(dynalite.endpoint, dynamoDbTarget(config).region);
    const writeStore = new DynamoTicketWriteStore(dynamoClient, config);
    const redis = api.get<Redis>(REDIS);
    const consistency = EventConsistency.on(redis, config, catalog, writeStore, orm);
    return new DomainHarness(
      config,
      catalog,
      api,
      worker,
      dynalite,
      orm,
      writeStore,
      dynamoClient,
      consistency,
      options.concurrency ?? 1000,
    );
  }

  venue(venueId: string): Venue {
    const venue = this.catalog.venues.find((v) => v.venueId === venueId);
    if (venue === undefined) throw new Error(`no venue ${venueId} in the catalog`);
    return venue;
  }

  /** Opens a sale of a fresh event through the command bus; returns its id. */
  async openEvent(label: string, venueId: string): Promise<string> {
    const eventId = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const outcome = await this.bus.execute(
      new OpenSaleCommand({
        eventId,
        venueId,
        name: `Harness ${label}`,
        type: 'harness',
        date: '2027-03-01T19:00:00Z',
      }),
    );
    if (outcome !== 'CREATED') throw new Error(`open sale of ${eventId}: ${outcome}`);
    return eventId;
  }

  /**
   * Sends every request as a PurchaseSeatCommand, `concurrency` at a time; outcomes in request order.
   * `onProgress` hears the number done after each tenth of the requests.
   */
  async purchase(
    venueId: string,
    eventId: string,
    requests: readonly SeatRequest[],
    onProgress?: (done: number) => void,
  ): Promise<SaleResult> {
    const outcomes = new Array<PurchaseOutcome>(requests.length);
    const step = Math.max(1, Math.ceil(requests.length / 10));
    let next = 0;
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(this.concurrency, requests.length) }, async () => {
        while (next < requests.length) {
          const i = next++;
          const seat = requests[i]!;
          outcomes[i] = await this.bus.execute(
            new PurchaseSeatCommand(venueId, eventId, seat.zoneId, seat.row, seat.column),
          );
          if (++done % step === 0) onProgress?.(done);
        }
      }),
    );
    return new SaleResult(eventId, requests, outcomes, performance.now() - started);
  }

  /**
   * Waits until both pipelines have delivered every reserved ticket of the result and the three stores
   * agree; returns the milliseconds from the call until then (each check reads every ticket of the event).
   */
  async waitForDrain(
    result: SaleResult,
    timeoutMs = 300_000,
    onProgress?: (projected: number, expected: number) => void,
  ): Promise<number> {
    const started = performance.now();
    const expected = result.reservedTickets().length;
    let report: ComparisonReport | undefined;
    while (performance.now() - started < timeoutMs) {
      const projected = await this.readModelCount(result.eventId);
      onProgress?.(Math.min(projected, expected), expected);
      if (projected >= expected) {
        report = await this.consistency.check(result.eventId);
        if (report.differences.length === 0 && report.figures['dynamodbLive'] === expected) {
          return performance.now() - started;
        }
      }
      await sleep(200);
    }
    throw new Error(`pipelines did not drain within ${timeoutMs} ms: ${JSON.stringify(report).slice(0, 2000)}`);
  }

  /** Every ticket id each store holds for the event, live or not. */
  async storedTicketIds(eventId: string): Promise<{ dynamodb: Set<string>; mysql: Set<string> }> {
    const [written, projected] = await Promise.all([
      this.writeStore.listEventTickets(eventId),
      listEventTickets(this.orm, eventId),
    ]);
    return { dynamodb: new Set(written.map((t) => t.ticketId)), mysql: new Set(projected.map((t) => t.ticketId)) };
  }

  async stop(): Promise<void> {
    await this.api.close();
    await this.worker.app.close();
    await this.orm.close(true);
    this.dynamoClient.destroy();
    await this.dynalite.close();
    await dropDatabase(this.config.MYSQL_URL);
  }

  private get bus(): CommandBus {
    return this.api.get(CommandBus);
  }

  private async readModelCount(eventId: string): Promise<number> {
    const rows = await this.orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*) as n from tickets where event_id = ?', [eventId]);
    return Number(rows[0]?.n ?? 0);
  }
}

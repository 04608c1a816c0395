import { MikroORM } from '@mikro-orm/mysql';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { EventConsistency } from '../../src/seat-recovery/event-consistency';
import { createRedisClient, type RedisClient } from '../../src/platform/redis/redis.factory';
import { createDynamoClients } from '../../src/write-store/dynamodb.client';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { ChildProcessHandle, freePort } from './child-process';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from './read-model-db';
import { TEST_ADMIN_TOKEN, testConfig } from './test-config';
import { sleep } from './time';

/**
 * The whole platform as separate processes, the way it runs in production: an embedded DynamoDB, a
 * throwaway MySQL database, the API and the worker (each killable and restartable), plus direct
 * connections to every store for the assertions.
 */
export class Platform {
  api!: ChildProcessHandle;
  worker!: ChildProcessHandle;
  apiPort = 0;
  workerPort = 0;
  dynalite!: DynaliteServer;
  mysqlUrl = throwawayMysqlUrl();
  orm!: MikroORM;
  redis!: RedisClient;
  consistency!: EventConsistency;
  writeStore!: DynamoTicketWriteStore;
  private dynamoClient!: ReturnType<typeof createDynamoClients>;

  constructor(
    private readonly overrides: {
      worker?: Record<string, string>;
      api?: Record<string, string>;
      /** Redis settings for the API and the platform's own client, e.g. REDIS_CLUSTER_NODES. */
      redis?: Record<string, string>;
      deferWorker?: boolean;
      /** A Redis of the test's own (test/support/redis-server.ts) for the API, the worker and the assertions. */
      redisUrl?: string;
    } = {},
  ) {}

  private get redisEnv(): Record<string, string> {
    return {
      ...(this.overrides.redisUrl !== undefined && { REDIS_URL: this.overrides.redisUrl }),
      ...this.overrides.redis,
    };
  }

  /** Variables for the worker; `dynamoEndpoint`/`mysqlUrl` let a test route them through its proxies. */
  workerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DYNAMODB_ENDPOINT: this.dynalite.endpoint,
      MYSQL_URL: this.mysqlUrl,
      WORKER_PORT: String(this.workerPort),
      ...this.redisEnv,
      ...this.overrides.worker,
      ...extra,
    };
  }

  async start(): Promise<this> {
    this.dynalite = await startDynalite();
    this.orm = await migratedDatabase(this.mysqlUrl);
    const config = testConfig({
      DYNAMODB_ENDPOINT: this.dynalite.endpoint,
      MYSQL_URL: this.mysqlUrl,
      ...this.redisEnv,
    });
    this.redis = createRedisClient(config, 5000, 'platform-test');
    await this.redis.connect();
    this.dynamoClient = createDynamoClients(this.dynalite.endpoint, 'us-east-1');
    this.writeStore = new DynamoTicketWriteStore(this.dynamoClient, config);
    await this.writeStore.ensureTables();
    const catalog = loadCatalog(config.CATALOG_FILE);
    this.consistency = EventConsistency.on(this.redis, config, catalog, this.writeStore, this.orm);
    this.apiPort = await freePort();
    this.workerPort = await freePort();
    if (!this.overrides.deferWorker) await this.startWorker();
    await this.startApi();
    return this;
  }

  async startApi(): Promise<void> {
    this.api = ChildProcessHandle.start('main.api.js', this.apiEnv());
    await this.api.waitForHttp(this.apiPort);
  }

  /** Variables for an API process; `extra` (e.g. another PORT) for a second one. */
  apiEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PORT: String(this.apiPort),
      MYSQL_URL: this.mysqlUrl,
      ...this.redisEnv,
      ...this.overrides.api,
      ...extra,
    };
  }

  async startWorker(extra: Record<string, string> = {}): Promise<void> {
    this.worker = ChildProcessHandle.start('main.worker.js', this.workerEnv(extra));
    await this.worker.waitForHttp(this.workerPort, 30_000);
  }

  /** What a command-line tool needs to reach the three stores of this platform (e.g. `verify`). */
  storeEnv(): Record<string, string> {
    return { DYNAMODB_ENDPOINT: this.dynalite.endpoint, MYSQL_URL: this.mysqlUrl, ...this.redisEnv };
  }

  /** Items each pipeline of the running worker has handled. */
  async pipelineFigures(): Promise<{ queue: string; handled: number; deadLettered: number }[]> {
    const response = await fetch(`http://127.0.0.1:${this.workerPort}/api/v1/ops/pipelines`);
    return (await response.json()) as { queue: string; handled: number; deadLettered: number }[];
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`http://127.0.0.1:${this.apiPort}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  /**
   * A client that retries: a refused connection (a process restarting) or a 503 is retried with the same
   * Idempotency-Key, every 100 ms for up to a minute, so a purchase is never doubled by its retries.
   * Without a key, a retry after a lost answer may find its own seat taken (409).
   */
  async purchaseWithRetry(
    body: object,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: any; attempts: number }> {
    const deadline = Date.now() + 60_000;
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey };
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.request('POST', '/api/v1/tickets', body, headers);
        if (response.status !== 503 || Date.now() > deadline) return { ...response, attempts: attempt };
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await sleep(100);
    }
  }

  async openSale(eventId: string, venueId: string): Promise<void> {
    const response = await this.request(
      'POST',
      '/api/v1/admin/events',
      { eventId, venueId, name: `E2E ${eventId}`, type: 'test', date: '2027-02-01T20:00:00Z' },
      { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    );
    if (response.status !== 201) throw new Error(`open sale: ${response.status}`);
  }

  /** Waits until the three stores agree for the event; returns how long that took. */
  async waitUntilStoresAgree(eventId: string, expectedLive: number, timeoutMs: number): Promise<number> {
    const started = Date.now();
    let last = '';
    while (Date.now() - started < timeoutMs) {
      const report = await this.consistency.check(eventId);
      if (report.differences.length === 0 && report.figures.dynamodbLive === expectedLive) return Date.now() - started;
      last = JSON.stringify(report).slice(0, 2000);
      await sleep(100);
    }
    throw new Error(
      `stores did not agree within ${timeoutMs} ms: ${last}\nworker:\n${this.worker.output.slice(-3000)}`,
    );
  }

  async stop(): Promise<void> {
    await this.api?.kill('SIGTERM');
    await this.worker?.kill('SIGTERM');
    await this.orm?.close(true);
    this.dynamoClient?.destroy();
    this.redis?.disconnect();
    await this.dynalite?.close();
    await dropDatabase(this.mysqlUrl);
  }
}

/** Sends the requests with at most `concurrency` in flight; returns the responses in request order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  send: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await send(items[i]!);
      }
    }),
  );
  return results;
}

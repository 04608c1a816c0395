import { Redis } from 'ioredis';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { Platform, inParallel } from '../support/platform';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId, saleEvent, testConfig, testTopology } from '../support/test-config';
import { sleep } from '../support/time';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition; throws on a line that is not one. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

async function scrape(baseUrl: string): Promise<Sample[]> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

async function get(baseUrl: string, path: string): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(200);
    value = await read();
  }
  return value;
}

/** The same database URL, reached through a local port the test controls. */
function throughProxy(mysqlUrl: string, proxy: TcpProxy): string {
  const url = new URL(mysqlUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

describe('API: /metrics, /health/live, /health/ready', () => {
  const mysqlUrl = throwawayMysqlUrl();
  let mysqlProxy: TcpProxy;
  let api: ApiServer;
  let redis: Redis;
  let eventId: string;

  const seat = (row: string, column: number, zoneId = 1) => ({ venueId: 'TinyHall', eventId, zoneId, row, column });

  beforeAll(async () => {
    await (await migratedDatabase(mysqlUrl)).close(true);
    const server = new URL(mysqlUrl);
    mysqlProxy = await new TcpProxy(server.hostname, Number(server.port || 3306)).start();
    // No relay: the outbox records are deleted below instead of reaching a later test's worker.
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', MYSQL_URL: throughProxy(mysqlUrl, mysqlProxy) }),
    );
    redis = new Redis(testConfig().REDIS_URL);
    eventId = freshEventId('metrics');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
  });
  afterAll(async () => {
    await deleteOutboxRecordsOf(redis, eventId);
    await redis.quit();
    await api.close();
    await mysqlProxy.stop();
    await dropDatabase(mysqlUrl);
  });

  it('counts purchases by outcome and times them in a histogram; outbox and process figures are there', async () => {
    const statuses = [
      (await api.purchase(seat('A', 1))).status,
      (await api.purchase(seat('A', 1))).status, // SEAT_TAKEN
      (await api.purchase(seat('A', 2))).status,
      (await api.purchase(seat('A', 1))).status, // ROW_SOLD_OUT (checked before the seat)
      (await api.purchase(seat('B', 1), { 'idempotency-key': `k-${eventId}` })).status,
      (await api.purchase(seat('B', 1), { 'idempotency-key': `k-${eventId}` })).status, // REPLAYED
      (await api.purchase(seat('A', 1, 9))).status, // NOT_FOUND: no zone 9
      (await api.purchase({ ...seat('A', 1), column: 'one' })).status, // 400: not a purchase
    ];
    expect(statuses).toEqual([201, 409, 201, 409, 201, 201, 404, 400]);

    const samples = await scrape(api.baseUrl);
    const purchases = (outcome: string) => valueOf(samples, 'tickets_purchases_total', { outcome });
    expect({
      RESERVED: purchases('RESERVED'),
      REPLAYED: purchases('REPLAYED'),
      SEAT_TAKEN: purchases('SEAT_TAKEN'),
      ROW_SOLD_OUT: purchases('ROW_SOLD_OUT'),
      ZONE_SOLD_OUT: purchases('ZONE_SOLD_OUT'),
      NOT_FOUND: purchases('NOT_FOUND'),
      IDEMPOTENCY_KEY_REUSED: purchases('IDEMPOTENCY_KEY_REUSED'),
      UNAVAILABLE: purchases('UNAVAILABLE'),
      ERROR: purchases('ERROR'),
    }).toEqual({
      RESERVED: 3,
      REPLAYED: 1,
      SEAT_TAKEN: 1,
      ROW_SOLD_OUT: 1,
      ZONE_SOLD_OUT: 0,
      NOT_FOUND: 1,
      IDEMPOTENCY_KEY_REUSED: 0,
      UNAVAILABLE: 0,
      ERROR: 0,
    });
    expect(valueOf(samples, 'tickets_purchase_duration_seconds_count')).toBe(7);
    expect(valueOf(samples, 'tickets_purchase_duration_seconds_bucket', { le: '+Inf' })).toBe(7);
    expect(valueOf(samples, 'tickets_purchase_duration_seconds_bucket', { le: '0.001' })).toBeDefined();
    expect(valueOf(samples, 'tickets_purchase_duration_seconds_bucket', { le: '0.2' })).toBeDefined();
    expect(valueOf(samples, 'tickets_purchase_duration_seconds_sum')).toBeGreaterThan(0);
    // The relay is off here: this run's unrelayed reservations, this test's three among them.
    expect(valueOf(samples, 'tickets_outbox_backlog')).toBeGreaterThanOrEqual(3);
    expect(valueOf(samples, 'tickets_outbox_published_total')).toBe(0);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('/health and /health/live are 200; /health/ready is 200 with every check true', async () => {
    expect(await get(api.baseUrl, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(api.baseUrl, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(api.baseUrl, '/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { redis: true, rabbitmq: true, mysql: true } },
    });
  });

  it('/health/ready is 503 with mysql:false, within its bound, while MySQL is unreachable; seats still sell', async () => {
    mysqlProxy.cut();
    try {
      const ready = await get(api.baseUrl, '/health/ready');
      expect(ready).toMatchObject({
        status: 503,
        body: { status: 'unavailable', checks: { redis: true, rabbitmq: true, mysql: false } },
      });
      expect(ready.ms).toBeLessThan(2500);
      expect((await api.purchase(seat('B', 2))).status).toBe(201);
      expect((await get(api.baseUrl, '/health/live')).status).toBe(200);
      expect(valueOf(await scrape(api.baseUrl), 'tickets_purchases_total', { outcome: 'RESERVED' })).toBe(4);
    } finally {
      mysqlProxy.restore();
    }
    const back = await eventually(
      () => get(api.baseUrl, '/health/ready'),
      (r) => r.status === 200,
      15_000,
    );
    expect(back.body).toEqual({ status: 'ready', checks: { redis: true, rabbitmq: true, mysql: true } });
  });
});

describe('worker: /metrics and /health/ready, with the API and the worker as processes', () => {
  let platform: Platform;
  let dynamoProxy: TcpProxy;
  let workerUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    // One ticket per AMQP message, so message counts equal ticket counts.
    platform = await new Platform({ api: { OUTBOX_TICKETS_PER_MESSAGE: '1' }, deferWorker: true }).start();
    dynamoProxy = await new TcpProxy('127.0.0.1', Number(new URL(platform.dynalite.endpoint).port)).start();
    await platform.startWorker({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}` });
    workerUrl = `http://127.0.0.1:${platform.workerPort}`;
    apiUrl = `http://127.0.0.1:${platform.apiPort}`;
  });
  afterAll(async () => {
    await platform.stop();
    await dynamoProxy.stop();
  });

  it('counts messages consumed and acked per pipeline, one per ticket sold; shows DLQ depth and projection lag', async () => {
    const pipelineCount = (samples: Sample[], pipeline: string, result: string) =>
      valueOf(samples, 'tickets_pipeline_messages_total', { pipeline, result });
    const figures = (samples: Sample[]) =>
      ['write-store', 'read-model'].flatMap((p) =>
        ['consumed', 'acked', 'dead_lettered'].map((r) => pipelineCount(samples, p, r)),
      );
    // Whatever an earlier test of this run left in the queues is drained before counting: the figures hold
    // still and every message consumed is settled (one may wait in the worker's retry backoff for seconds,
    // which two equal samples alone would take for settled).
    let previous: string | undefined;
    const before = await eventually(
      () => scrape(workerUrl),
      (samples) => {
        const now = JSON.stringify(figures(samples));
        const settled =
          now === previous &&
          ['write-store', 'read-model'].every(
            (p) =>
              (pipelineCount(samples, p, 'consumed') ?? 0) ===
              (pipelineCount(samples, p, 'acked') ?? 0) + (pipelineCount(samples, p, 'dead_lettered') ?? 0),
          );
        previous = now;
        return settled;
      },
      60_000,
    );

    const eventId = freshEventId('metrics-e2e');
    await platform.openSale(eventId, 'Arena');
    const seats = Array.from({ length: 30 }, (_, i) => ({ zoneId: 1, row: 'A', column: (i % 25) + 1 }));
    const responses = await inParallel(seats, 5, (s) =>
      platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...s }),
    );
    const sold = responses.filter((r) => r.status === 201).length;
    expect(sold).toBe(25);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(5);

    const delta = (samples: Sample[], pipeline: string, result: string) =>
      pipelineCount(samples, pipeline, result)! - pipelineCount(before, pipeline, result)!;
    const after = await eventually(
      () => scrape(workerUrl),
      (s) => delta(s, 'write-store', 'acked') >= sold && delta(s, 'read-model', 'acked') >= sold,
      30_000,
    );
    for (const pipeline of ['write-store', 'read-model']) {
      expect({
        pipeline,
        consumed: delta(after, pipeline, 'consumed'),
        acked: delta(after, pipeline, 'acked'),
        dead_lettered: delta(after, pipeline, 'dead_lettered'),
      }).toEqual({ pipeline, consumed: sold, acked: sold, dead_lettered: 0 });
    }
    for (const queue of Object.values(testTopology().pipelines)) {
      expect(valueOf(after, 'tickets_dlq_depth', { queue: `${queue}.dlq` })).toEqual(expect.any(Number));
    }
    const lag = valueOf(after, 'tickets_projection_lag_seconds', { pipeline: 'ticket-reserved' });
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
    expect(valueOf(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // The API relayed every ticket it sold.
    const api = await eventually(
      () => scrape(apiUrl),
      (s) => valueOf(s, 'tickets_outbox_backlog') === 0,
      10_000,
    );
    expect(valueOf(api, 'tickets_outbox_published_total')).toBeGreaterThanOrEqual(sold);
    expect(valueOf(api, 'tickets_purchases_total', { outcome: 'RESERVED' })).toBe(sold);
  });

  it('/health/live is 200; /health/ready is 200, and 503 with dynamodb:false while DynamoDB is unreachable', async () => {
    expect(await get(workerUrl, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(workerUrl, '/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { rabbitmq: true, mysql: true, dynamodb: true } },
    });
    dynamoProxy.cut();
    try {
      const ready = await get(workerUrl, '/health/ready');
      expect(ready).toMatchObject({
        status: 503,
        body: { status: 'unavailable', checks: { rabbitmq: true, mysql: true, dynamodb: false } },
      });
      expect(ready.ms).toBeLessThan(2500);
    } finally {
      dynamoProxy.restore();
    }
    const back = await eventually(
      () => get(workerUrl, '/health/ready'),
      (r) => r.status === 200,
      15_000,
    );
    expect(back.body.checks).toEqual({ rabbitmq: true, mysql: true, dynamodb: true });
  });
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { ticketMessageJson } from '../../src/platform/amqp/ticket-message';
import { deadLetterQueueOf, deleteTopology, topologyFor } from '../../src/platform/amqp/topology';
import { ChildProcessHandle, freePort } from '../support/child-process';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { seatPlan } from '../../scripts/seat-plan';
import { TcpProxy } from '../support/tcp-proxy';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { allOutboxKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import {
  freshEventId,
  saleEvent,
  TEST_ADMIN_TOKEN,
  TEST_CATALOG_FILE,
  testConfig,
  testNamespace,
} from '../support/test-config';
import { sleep } from '../support/time';
import { reservedTicket } from '../support/tickets';

/** A namespace of its own: a dead letter other test files left in the run's queues would block the rebuilds. */
const NAMESPACE = `${testNamespace()}-rebuild`;
const topology = topologyFor(NAMESPACE);
const REPLAY_CLI = join(__dirname, '..', '..', 'dist', 'consistency', 'replay-dlq.main.js');

/** `npm run replay:dlq -- <args>` against the platform's namespace: its exit code and output. */
async function replayDlq(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [REPLAY_CLI, ...args], {
      env: { ...process.env, AMQP_NAMESPACE: NAMESPACE },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/**
 * Redis loses seat maps; the platform restores them by itself: the API answers 503 with Retry-After and asks,
 * a worker waits until every ticket of the lost zones is in DynamoDB and rebuilds them, and sales resume.
 */
describe('automatic seat-map rebuild after Redis loses an event', () => {
  let platform: Platform;
  let dynamoProxy: TcpProxy;

  beforeAll(async () => {
    platform = await new Platform({
      deferWorker: true,
      api: { AMQP_NAMESPACE: NAMESPACE },
      worker: { AMQP_NAMESPACE: NAMESPACE },
    }).start();
    dynamoProxy = await new TcpProxy('127.0.0.1', Number(new URL(platform.dynalite.endpoint).port)).start();
    // Prefetch 1: a message this worker holds leaves it no room for another, so the drain barrier of the second
    // test reaches the other worker, and the proof rests on the drain round (see WriteStoreDrainBarrier).
    await platform.startWorker({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}`, WORKER_PREFETCH: '1' });
  });
  afterAll(async () => {
    await platform.stop();
    await dynamoProxy.stop();
    const connection = await connect(testConfig().AMQP_URL);
    await deleteTopology(await connection.createChannel(), topology).catch(() => undefined);
    await connection.close();
  });

  const buy = (eventId: string, zoneId: number, row: string, column: number) =>
    platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, zoneId, row, column });

  const zoneOpen = async (eventId: string, zoneId: number) =>
    (await platform.redis.exists(zoneKeys(eventId, zoneId).counts)) === 1;

  async function outboxEmpty(): Promise<boolean> {
    const pipeline = platform.redis.pipeline();
    for (const key of allOutboxKeys()) pipeline.xlen(key);
    return ((await pipeline.exec()) ?? []).every(([, length]) => Number(length) === 0);
  }

  it('answers 503 with Retry-After while a zone is missing, rebuilds it from DynamoDB by itself, and sells on', async () => {
    const eventId = freshEventId('rebuild');
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, 200, 0, 7);
    const sold = await inParallel(plan, 20, (seat) => buy(eventId, seat.zoneId, seat.row, seat.column));
    expect(sold.every((r) => r.status === 201)).toBe(true);
    const soldInZone1 = plan.find((seat) => seat.zoneId === 1)!;

    const keys = zoneKeys(eventId, 1);
    await platform.redis.del(keys.counts, keys.seats);
    const whileMissing = await buy(eventId, 1, 'Z', 400);
    expect({ status: whileMissing.status, retryAfter: whileMissing.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '1',
    });
    expect(whileMissing.body).toMatchObject({ error: 'UNAVAILABLE' });
    // The other zone never stopped selling.
    expect((await buy(eventId, 2, 'Z', 400)).status).toBe(201);

    await waitFor(() => zoneOpen(eventId, 1), 60_000, 'the worker to rebuild zone 1');
    expect((await buy(eventId, 1, soldInZone1.row, soldInZone1.column)).status).toBe(409);
    expect((await buy(eventId, 1, 'Z', 400)).status).toBe(201);
    await platform.waitUntilStoresAgree(eventId, 202, 60_000);
    expect(platform.worker.output).toContain(`Redis lost seat maps of ${eventId} (1 zone(s))`);
  });

  it('does not rebuild while a ticket of the lost zone is still on its way to DynamoDB, held by one of two workers', async () => {
    const eventId = freshEventId('rebuild-drain');
    await platform.openSale(eventId, 'Arena');
    // Only the first worker consumes, and cannot write: the ticket stays in its hands, unacknowledged.
    dynamoProxy.cut();
    const second = { handle: undefined as ChildProcessHandle | undefined, port: await freePort() };
    try {
      expect((await buy(eventId, 1, 'A', 1)).status).toBe(201);
      await waitFor(outboxEmpty, 30_000, 'the relay to hand the ticket to the broker');
      // A second worker that can write joins; it gets the drain barrier, the first one still holds the ticket.
      second.handle = ChildProcessHandle.start(
        'main.worker.js',
        platform.workerEnv({ WORKER_PORT: String(second.port), DYNAMODB_ENDPOINT: platform.dynalite.endpoint }),
      );
      await second.handle.waitForHttp(second.port, 30_000);

      const keys = zoneKeys(eventId, 1);
      await platform.redis.del(keys.counts, keys.seats);
      expect((await buy(eventId, 1, 'A', 2)).status).toBe(503);
      // The rebuild waits for the held ticket: long enough for the workers to report a few times over.
      await waitFor(
        () =>
          platform.worker.output.includes(`Redis lost seat maps of ${eventId}`) ||
          !!second.handle?.output.includes(`Redis lost seat maps of ${eventId}`),
        30_000,
        'a worker to start the rebuild',
      );
      await sleep(3000);
      expect(await zoneOpen(eventId, 1)).toBe(false);
    } finally {
      dynamoProxy.restore();
    }
    await waitFor(() => zoneOpen(eventId, 1), 60_000, 'the rebuild once the ticket is written');
    // Rebuilt from a store that has the held ticket: its seat is taken, not sold again.
    expect((await buy(eventId, 1, 'A', 1)).status).toBe(409);
    expect((await buy(eventId, 1, 'A', 2)).status).toBe(201);
    await platform.waitUntilStoresAgree(eventId, 2, 60_000);
    await second.handle?.kill('SIGTERM');
  });

  it('refuses to rebuild while the write-store DLQ holds a ticket (503 persists, error logged), and rebuilds once replay:dlq moved it back', async () => {
    const eventId = freshEventId('rebuild-dlq');
    await platform.openSale(eventId, 'Arena');
    expect((await buy(eventId, 1, 'B', 1)).status).toBe(201);
    await platform.waitUntilStoresAgree(eventId, 1, 60_000);
    // A ticket the worker dead-lettered instead of storing (as it did for store errors it did not know): sold,
    // but in neither store. Rebuilt without it, its seat would be sold again.
    const price = loadCatalog(TEST_CATALOG_FILE).venues.find((v) => v.venueId === 'Arena')!.zones[0]!.ticketPrice;
    const ticket = reservedTicket(eventId, { price });
    const body = ticketMessageJson('TicketReserved', [JSON.stringify(ticket)]);
    let connection: ChannelModel | undefined;
    let channel: ConfirmChannel;
    try {
      connection = await connect(testConfig().AMQP_URL);
      channel = await connection.createConfirmChannel();
      for (const queue of [topology.pipelines.writeStore, topology.pipelines.readModel])
        channel.publish(topology.deadLetterExchange, queue, Buffer.from(body), {
          persistent: true,
          messageId: ticket.ticketId,
          headers: { 'x-failure-reason': 'FAILED after 5 attempts: AccessDeniedException', 'x-attempts': 5 },
        });
      await channel.waitForConfirms();

      const keys = zoneKeys(eventId, 1);
      await platform.redis.del(keys.counts, keys.seats);
      expect((await buy(eventId, 1, 'A', 2)).status).toBe(503);
      const refusal = `${deadLetterQueueOf(topology.pipelines.writeStore)} holds 1 dead-lettered message(s)`;
      await waitFor(() => platform.worker.output.includes(refusal), 30_000, 'the rebuild to refuse, naming the DLQ');
      expect(platform.worker.output).toContain('npm run replay:dlq -- --pipeline write-store');
      // Still refused a few drain passes later: the zone stays closed and its purchases answer 503.
      await sleep(3000);
      expect(await zoneOpen(eventId, 1)).toBe(false);
      expect((await buy(eventId, 1, 'A', 1)).status).toBe(503);

      const dryRun = await replayDlq('--pipeline', 'write-store', '--dry-run');
      expect(dryRun).toEqual({
        code: 0,
        output: expect.stringContaining('1 message(s) waiting; dry run, nothing moved'),
      });
      expect(dryRun.output).toMatch(/1 {2}FAILED after 5 attempts/);
      expect((await channel.checkQueue(deadLetterQueueOf(topology.pipelines.writeStore))).messageCount).toBe(1);
      expect(await zoneOpen(eventId, 1)).toBe(false);

      for (const pipeline of ['write-store', 'read-model'])
        expect(await replayDlq('--pipeline', pipeline)).toEqual({
          code: 0,
          output: expect.stringContaining('1 message(s) moved, 0 left'),
        });
      expect(await replayDlq('--pipeline', 'write-store')).toEqual({
        code: 0,
        output: expect.stringContaining('0 message(s) moved, 0 left'),
      });
    } finally {
      await connection?.close();
    }

    await waitFor(() => zoneOpen(eventId, 1), 60_000, 'the rebuild once the dead letter was replayed');
    // Rebuilt from a store that has the replayed ticket: its seat is taken, not sold again.
    expect((await buy(eventId, 1, 'A', 1)).status).toBe(409);
    expect((await buy(eventId, 1, 'A', 2)).status).toBe(201);
    await platform.waitUntilStoresAgree(eventId, 3, 60_000);
  });

  it('replay:dlq: --help has no side effects, an unknown flag or a missing --pipeline exits 2', async () => {
    expect(await replayDlq('--help')).toEqual({
      code: 0,
      output: expect.stringContaining('usage: npm run replay:dlq'),
    });
    expect(await replayDlq('--pipeline', 'write-store', '--bogus')).toEqual({
      code: 2,
      output: expect.stringContaining("Unknown option '--bogus'"),
    });
    expect((await replayDlq('--dry-run')).code).toBe(2);
    expect((await replayDlq('--pipeline', 'write-store', '--limit', '0')).code).toBe(2);
  });

  it('never reopens empty an event Redis lost: the admin endpoint answers 409 and the map comes back from DynamoDB', async () => {
    const eventId = freshEventId('rebuild-reopen');
    await platform.openSale(eventId, 'TinyHall');
    expect((await platform.request('POST', '/api/v1/tickets', { ...seatOf(eventId), column: 1 })).status).toBe(201);
    await platform.waitUntilStoresAgree(eventId, 1, 60_000);

    const keys = await platform.redis.keys(`*:${eventId}:*`);
    await platform.redis
      .multi()
      .del(...keys)
      .hdel('catalog:events', eventId)
      .exec();
    const reopen = await platform.request('POST', '/api/v1/admin/events', saleEvent(eventId, 'TinyHall'), {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
    });
    expect(reopen.status).toBe(409);

    await waitFor(
      async () => (await zoneOpen(eventId, 1)) && (await zoneOpen(eventId, 2)),
      60_000,
      'the rebuild of both zones',
    );
    expect((await platform.request('POST', '/api/v1/tickets', { ...seatOf(eventId), column: 1 })).status).toBe(409);
    // The event's record is back in Redis as it was opened: the read model kept its name, type and date.
    const record = JSON.parse((await platform.redis.hget('catalog:events', eventId)) ?? '{}');
    expect({ ...record, date: Date.parse(record.date) }).toEqual({
      eventId,
      venueId: 'TinyHall',
      name: `E2E ${eventId}`,
      type: 'test',
      date: Date.parse('2027-02-01T20:00:00Z'),
    });
  });
});

const seatOf = (eventId: string) => ({ venueId: 'TinyHall', eventId, zoneId: 1, row: 'A' });

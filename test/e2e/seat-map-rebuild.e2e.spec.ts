import { ChildProcessHandle, freePort } from '../support/child-process';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { seatPlan } from '../support/seat-plan';
import { TcpProxy } from '../support/tcp-proxy';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { allOutboxKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { freshEventId, saleEvent, TEST_ADMIN_TOKEN } from '../support/test-config';

/**
 * Redis loses seat maps; the platform restores them by itself: the API answers 503 with Retry-After and asks,
 * a worker waits until every ticket of the lost zones is in DynamoDB and rebuilds them, and sales resume.
 */
describe('automatic seat-map rebuild after Redis loses an event', () => {
  let platform: Platform;
  let dynamoProxy: TcpProxy;

  beforeAll(async () => {
    platform = await new Platform({ deferWorker: true }).start();
    dynamoProxy = await new TcpProxy('127.0.0.1', Number(new URL(platform.dynalite.endpoint).port)).start();
    // Prefetch 1: a message this worker holds leaves it no room for another, so the drain barrier of the second
    // test reaches the other worker, and the proof rests on the drain round (see WriteStoreDrainBarrier).
    await platform.startWorker({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}`, WORKER_PREFETCH: '1' });
  });
  afterAll(async () => {
    await platform.stop();
    await dynamoProxy.stop();
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
      await new Promise((resolve) => setTimeout(resolve, 3000));
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

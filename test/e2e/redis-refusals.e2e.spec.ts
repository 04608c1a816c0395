import { Redis } from 'ioredis';
import { ApiServer } from '../support/api-server';
import { freePort } from '../support/child-process';
import { waitFor } from '../support/queue-reader';
import { RedisServer } from '../support/redis-server';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';

/**
 * Redis answering a command with a refusal (the command, or the script, did not run): a 503 with
 * Retry-After, counted as UNAVAILABLE, never a 500. Each refusal is produced for real, on a redis-server of
 * the test's own: LOADING, TRYAGAIN and CLUSTERDOWN are covered by the classifier's unit test
 * (test/unit/redis-errors.spec.ts), and TRYAGAIN for real on a cluster by redis-cluster.spec.ts.
 */
describe('Redis refusing commands: 503 with Retry-After, never 500', () => {
  let master: RedisServer;
  let admin: Redis;
  let api: ApiServer;

  const seat = (eventId: string, column = 1) => ({ venueId: 'TinyHall', eventId, zoneId: 1, row: 'A', column });
  const unavailableCount = async (server: ApiServer): Promise<number> => {
    const text = (await server.request('GET', '/metrics')).body as string;
    return Number(/tickets_purchases_total\{outcome="UNAVAILABLE"\} (\d+)/.exec(text)?.[1] ?? Number.NaN);
  };
  const expectRefused = (response: { status: number; body: unknown; headers: Headers }) => {
    expect(response).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE' } });
    expect(response.headers.get('retry-after')).toBe('1');
  };

  beforeAll(async () => {
    master = await new RedisServer().start();
    admin = new Redis(master.url);
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false', REDIS_URL: master.url }));
  });
  afterAll(async () => {
    await api.close();
    admin.disconnect();
    await master.stop();
  });

  it('OOM (maxmemory reached, noeviction): purchases and opening a sale answer 503, and the seat stays free', async () => {
    const eventId = freshEventId('oom');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
    const before = await unavailableCount(api);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      expectRefused(await api.purchase(seat(eventId)));
      expectRefused(await api.purchase(seat(eventId), { 'idempotency-key': `oom-${eventId}` }));
      expectRefused(await api.openSale(saleEvent(freshEventId('oom-sale'), 'TinyHall')));
      expect(await unavailableCount(api)).toBe(before + 2);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    // The refused script took nothing: the seat is still for sale.
    expect((await api.purchase(seat(eventId))).status).toBe(201);
  });

  it('BUSY (a script running past busy-reply-threshold): purchases, ticket lookups and opening a sale answer 503', async () => {
    const eventId = freshEventId('busy');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
    const bought = await api.purchase(seat(eventId));
    expect(bought.status).toBe(201);
    await admin.config('SET', 'busy-reply-threshold', '10');
    const blocker = new Redis(master.url);
    const probe = new Redis(master.url);
    const busyScript = blocker.eval('while true do end', 0).catch((error: Error) => error.message);
    try {
      await waitFor(
        () =>
          probe.ping().then(
            () => false,
            (error: Error) => error.message.startsWith('BUSY '),
          ),
        10_000,
        'Redis to answer BUSY',
      );
      expectRefused(await api.purchase(seat(eventId, 2)));
      expectRefused(await api.request('GET', `/api/v1/tickets/${(bought.body as { ticketId: string }).ticketId}`));
      expectRefused(await api.openSale(saleEvent(freshEventId('busy-sale'), 'TinyHall')));
    } finally {
      await probe.script('KILL').catch(() => undefined);
      expect(await busyScript).toMatch(/killed/i);
      blocker.disconnect();
      probe.disconnect();
    }
    expect((await api.purchase(seat(eventId, 2))).status).toBe(201);
  });

  it('READONLY (an API pointed at a replica): purchases and opening a sale answer 503', async () => {
    const eventId = freshEventId('readonly');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
    const replica = await new RedisServer().start();
    const replicaAdmin = new Redis(replica.url);
    let onReplica: ApiServer | undefined;
    try {
      await replicaAdmin.replicaof('127.0.0.1', master.port);
      await waitFor(
        async () => (await replicaAdmin.info('replication')).includes('master_link_status:up'),
        10_000,
        'the replica to sync',
      );
      onReplica = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false', REDIS_URL: replica.url }));
      expectRefused(await onReplica.purchase(seat(eventId)));
      expectRefused(await onReplica.purchase(seat(eventId, 2), { 'idempotency-key': `ro-${eventId}` }));
      expectRefused(await onReplica.openSale(saleEvent(freshEventId('readonly-sale'), 'TinyHall')));
      expect(await unavailableCount(onReplica)).toBe(2);
    } finally {
      await onReplica?.close();
      replicaAdmin.disconnect();
      await replica.stop();
    }
  });

  it('MASTERDOWN (a replica cut off from its master, not serving stale data): purchases answer 503', async () => {
    const eventId = freshEventId('masterdown');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
    await admin.config('SET', 'replica-serve-stale-data', 'no');
    // A master that is not there: nothing listens on a port just found free.
    await admin.replicaof('127.0.0.1', await freePort());
    try {
      await waitFor(
        () =>
          admin.get('x').then(
            () => false,
            (error: Error) => error.message.startsWith('MASTERDOWN '),
          ),
        10_000,
        'Redis to answer MASTERDOWN',
      );
      expectRefused(await api.purchase(seat(eventId)));
    } finally {
      await admin.replicaof('NO', 'ONE');
      await admin.config('SET', 'replica-serve-stale-data', 'yes');
    }
    await waitFor(async () => (await api.purchase(seat(eventId))).status === 201, 10_000, 'a purchase to succeed');
  });
});

import { randomUUID } from 'node:crypto';
import { ticketCacheKey } from '../../src/purchasing/seat-map/seat-map.keys';
import { newTicketId, partitionOfTicketId } from '../../src/purchasing/ticket-id';
import { inParallel, Platform } from '../support/platform';
import { RedisClusterHarness, redisClusterUnavailable } from '../support/redis-cluster';
import { seatPlan } from '../../scripts/seat-plan';
import { freshEventId } from '../support/test-config';
import { describeIf } from '../support/skip';

const unavailable = redisClusterUnavailable();
const describeRedis = describeIf(unavailable === undefined, unavailable);

const TTL_SECONDS = 120;

/** Calls of one command a Redis server has answered (INFO commandstats). */
function callsOf(info: string, command: string): number {
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describeRedis('read-your-writes: new tickets answered from Redis, on a replica (TICKET_CACHE_REDIS_URL)', () => {
  let redis: RedisClusterHarness;
  let platform: Platform;

  beforeAll(async () => {
    // A Redis of the test's own with one replica; no worker, so the read model never gets these tickets.
    redis = await RedisClusterHarness.startStandalone(1);
    platform = await new Platform({
      redis: { REDIS_URL: redis.url(0), TICKET_CACHE_REDIS_URL: redis.url(1) },
      api: { TICKET_CACHE_TTL_SECONDS: String(TTL_SECONDS) },
      deferWorker: true,
    }).start();
  });
  afterAll(async () => {
    await platform?.stop();
    await redis?.stop();
  });

  it('answers 200 to a GET right after every 201 of a burst, from the replica, with no ticket in the read model', async () => {
    const eventId = freshEventId('ryw');
    await platform.openSale(eventId, 'Arena');
    const getsBefore = callsOf(await redis.admin(1).info('commandstats'), 'get');
    const results = await inParallel(seatPlan([1, 2], 26, 600, 0.2, 9), 50, async (seat) => {
      const bought = await platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...seat });
      if (bought.status !== 201) return { bought };
      return { bought, read: await platform.request('GET', `/api/v1/tickets/${bought.body.ticketId}`) };
    });
    const reads = results.filter((r) => r.bought.status === 201);
    expect(reads).toHaveLength(600);
    for (const { bought, read } of reads)
      expect({ status: read?.status, body: read?.body }).toEqual({ status: 200, body: bought.body });

    const [{ n }] = await platform.orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*) as n from tickets where event_id = ?', [eventId]);
    expect(Number(n)).toBe(0);
    // Each lookup asked the replica first.
    const getsAfter = callsOf(await redis.admin(1).info('commandstats'), 'get');
    expect(getsAfter - getsBefore).toBeGreaterThanOrEqual(600);
    // The entry expires on its own.
    const ticketId = reads[0]!.bought.body.ticketId as string;
    const ttl = await redis.admin(0).ttl(ticketCacheKey(partitionOfTicketId(ticketId)!, ticketId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
  });

  it('still answers 200 when the replica does not have the ticket: the lookup falls back to the master', async () => {
    const eventId = freshEventId('ryw-lag');
    await platform.openSale(eventId, 'Arena');
    // The replica stops following the master: every new ticket is missing there.
    await redis.admin(1).replicaof('NO', 'ONE');
    try {
      const bought = await platform.request('POST', '/api/v1/tickets', {
        venueId: 'Arena',
        eventId,
        zoneId: 1,
        row: 'B',
        column: 7,
      });
      expect(bought.status).toBe(201);
      const ticketId = bought.body.ticketId as string;
      expect(await redis.admin(1).exists(ticketCacheKey(partitionOfTicketId(ticketId)!, ticketId))).toBe(0);
      const read = await platform.request('GET', `/api/v1/tickets/${ticketId}`);
      expect({ status: read.status, body: read.body }).toEqual({
        status: 200,
        body: bought.body,
      });
    } finally {
      await redis.admin(1).replicaof('127.0.0.1', new URL(redis.url(0)).port);
    }
  });

  it('answers 404 for an id nobody bought, whether or not it has the partitioned form', async () => {
    for (const ticketId of [newTicketId('nobody', 1), randomUUID()]) {
      expect((await platform.request('GET', `/api/v1/tickets/${ticketId}`)).status).toBe(404);
    }
  });
});

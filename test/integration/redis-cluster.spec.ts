import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApiModule } from '../../src/api.module';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { OpenSaleCommand } from '../../src/catalog/open-sale/open-sale.command';
import { outboxBacklog } from '../../src/purchasing/outbox/outbox-backlog';
import { OutboxRelay } from '../../src/purchasing/outbox/outbox-relay';
import type { PurchaseOutcome } from '../../src/purchasing/purchase-outcome';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import { allOutboxKeys, outboxKey, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { SEAT_MAP, type SeatMap } from '../../src/purchasing/seat-map/seat-map.port';
import { TicketCache } from '../../src/read-model/get-ticket/ticket-cache';
import { REDIS, type RedisClient } from '../../src/platform/redis/redis.factory';
import { isRedisUnavailable } from '../../src/platform/redis/redis-errors';
import { inParallel } from '../support/platform';
import { QueueReader, waitFor } from '../support/queue-reader';
import { RedisClusterHarness, redisClusterUnavailable } from '../support/redis-cluster';
import { seatKey, seatPlan } from '../../scripts/seat-plan';
import { freshEventId, saleEvent, testConfig, testTopology } from '../support/test-config';
import { sleep } from '../support/time';
import { describeIf } from '../support/skip';

const unavailable = redisClusterUnavailable();
const describeCluster = describeIf(unavailable === undefined, unavailable);

const DISTINCT = 6000;
const DUPLICATE_RATIO = 0.5;

interface ClusterUnderTest {
  cluster: RedisClusterHarness;
  app: INestApplicationContext;
  redis: RedisClient;
}

/** A cluster of its own and an API application context on it (no relay: the tests start it when needed). */
async function startClusterApp(replicasPerMaster: number): Promise<ClusterUnderTest> {
  const cluster = await RedisClusterHarness.start({ masters: 3, replicasPerMaster });
  const config = testConfig({ REDIS_CLUSTER_NODES: cluster.nodesSetting, OUTBOX_RELAY_ENABLED: 'false' });
  const app = await NestFactory.createApplicationContext(ApiModule.forRoot(config, loadCatalog(config.CATALOG_FILE)), {
    logger: ['error'],
  });
  return { cluster, app, redis: app.get<RedisClient>(REDIS) };
}

const slotOf = async (cluster: RedisClusterHarness, key: string): Promise<number> =>
  Number(await cluster.admin().cluster('KEYSLOT', key));

/**
 * A rush on a fresh Arena sale through the CommandBus (every seat once plus 50 % duplicates, 200 in flight)
 * with `disturb` started on the slot of zone 1 once a third of the answers are in (the last tenth of the
 * requests waits until it is over). Each request carries its own Idempotency-Key and is retried with it
 * while Redis answers "unavailable", as a client retries a 503. Then checks exactly-once: one ticket per seat, Redis counters and bitmaps, one outbox entry and one cache
 * entry per ticket.
 */
async function rushWhile({ cluster, app, redis }: ClusterUnderTest, disturb: (slot: number) => Promise<string>) {
  const eventId = freshEventId('cluster');
  expect(await app.get(CommandBus).execute(new OpenSaleCommand(saleEvent(eventId, 'Arena')))).toBe('CREATED');
  const slot = await slotOf(cluster, zoneKeys(eventId, 1).outbox);
  const backlogBefore = await outboxBacklog(redis);
  const plan = seatPlan([1, 2], 26, DISTINCT, DUPLICATE_RATIO, 11);
  const bus = app.get(CommandBus);
  let done = 0;
  let retries = 0;
  let startDisturbance!: () => void;
  const disturbance = new Promise<void>((resolve) => (startDisturbance = resolve)).then(() => disturb(slot));
  const requests = plan.map((seat, i) => ({ seat, i, key: `${eventId}-${i}` }));
  const outcomes = await inParallel(requests, 200, async ({ seat, i, key }) => {
    // The last tenth waits for the disturbance to be over: some requests surely meet the new layout.
    if (i >= plan.length * 0.9) await disturbance.catch(() => undefined);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome: PurchaseOutcome = await bus.execute(
          new PurchaseSeatCommand('Arena', eventId, seat.zoneId, seat.row, seat.column, key),
        );
        if (++done === Math.round(plan.length / 3)) startDisturbance();
        return outcome;
      } catch (error) {
        if (!isRedisUnavailable(error) || attempt >= 200) throw error;
        retries++;
        await sleep(50);
      }
    }
  });
  console.log(
    `cluster rush: ${plan.length} commands, ${DISTINCT} distinct seats; ${await disturbance} once a third ` +
      `was answered, the last tenth sent after it; ${retries} client retries`,
  );

  const winners = new Map<string, string>();
  const kinds: Record<string, number> = {};
  outcomes.forEach((outcome, i) => {
    kinds[outcome.kind] = (kinds[outcome.kind] ?? 0) + 1;
    if (outcome.kind !== 'RESERVED') return;
    const key = seatKey(plan[i]!);
    expect(winners.has(key)).toBe(false);
    winners.set(key, outcome.ticket.ticketId);
  });
  expect(kinds).toEqual({ RESERVED: DISTINCT, SEAT_TAKEN: plan.length - DISTINCT });
  const seatMap = app.get<SeatMap>(SEAT_MAP);
  for (const zoneId of [1, 2]) {
    const snapshot = await seatMap.snapshotZone(eventId, { zoneId, ticketPrice: 1, rowCount: 26, colCount: 400 });
    const sold = [...winners.keys()].filter((k) => k.startsWith(`${zoneId}:`));
    expect(snapshot!.taken).toHaveLength(sold.length);
    expect(snapshot!.zoneLeft).toBe(26 * 400 - sold.length);
  }
  expect((await outboxBacklog(redis)) - backlogBefore).toBe(DISTINCT);
  const cache = app.get(TicketCache);
  const cached = await Promise.all([...winners.values()].map((id) => cache.find(id)));
  expect(cached.filter((t) => t?.status === 'RESERVED')).toHaveLength(DISTINCT);
  return { slot };
}

describeCluster('the purchase path on a 3-master Redis Cluster', () => {
  let under: ClusterUnderTest;
  let cluster: RedisClusterHarness;
  let app: INestApplicationContext;
  let redis: RedisClient;

  beforeAll(async () => {
    under = await startClusterApp(0);
    ({ cluster, app, redis } = under);
  });
  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('spreads the 64 outbox streams over all three masters, and keeps each zone in the slot of its stream', async () => {
    const owners = new Set<number>();
    for (const key of allOutboxKeys()) owners.add((await cluster.ownerOf(await slotOf(cluster, key))).port);
    expect(owners.size).toBe(3);
    const keys = zoneKeys('Event1', 12);
    const slots = new Set(await Promise.all([keys.counts, keys.seats, keys.outbox].map((k) => slotOf(cluster, k))));
    expect([...slots]).toEqual([await slotOf(cluster, outboxKey(keys.partition))]);
  });

  it('sells each seat exactly once under contention while a slot of the sale moves to another master', async () => {
    let target = 0;
    const { slot } = await rushWhile(under, async (slot) => {
      const from = await cluster.ownerOf(slot);
      target = (await cluster.topology()).find((n) => n.role === 'master' && n.id !== from.id)!.port;
      const moved = await cluster.migrateSlot(slot, target, { keysPerStep: 20, pauseMs: 5 });
      expect(moved).toBeGreaterThan(0);
      return `${moved} keys of slot ${slot} moved ${from.port} → ${target}`;
    });
    expect((await cluster.ownerOf(slot)).port).toBe(target);
  });

  it('relays the outbox streams of every master: each ticket reaches both pipeline queues', async () => {
    // Events until their zones' streams sit on all three masters.
    const events: string[] = [];
    const masters = new Set<number>();
    while (masters.size < 3 && events.length < 30) {
      const eventId = freshEventId('relay');
      events.push(eventId);
      for (const zoneId of [1, 2])
        masters.add((await cluster.ownerOf(await slotOf(cluster, zoneKeys(eventId, zoneId).outbox))).port);
    }
    expect(masters.size).toBe(3);
    const bus = app.get(CommandBus);
    const sold = new Set<string>();
    for (const eventId of events) {
      expect(await app.get(CommandBus).execute(new OpenSaleCommand(saleEvent(eventId, 'Arena')))).toBe('CREATED');
      const outcomes = await Promise.all(
        seatPlan([1, 2], 26, 100, 0, 5).map((s) =>
          bus.execute(new PurchaseSeatCommand('Arena', eventId, s.zoneId, s.row, s.column)),
        ),
      );
      for (const o of outcomes) if (o.kind === 'RESERVED') sold.add(o.ticket.ticketId);
    }
    expect(sold.size).toBe(events.length * 100);

    const readers = await Promise.all(
      Object.values(testTopology().pipelines).map((q) => new QueueReader(testConfig().AMQP_URL, q, events).start()),
    );
    const relay = app.get(OutboxRelay);
    relay.start();
    try {
      const delivered = (reader: QueueReader) => new Set(reader.received.map((t) => t.ticketId));
      await waitFor(
        () => readers.every((r) => [...sold].every((id) => delivered(r).has(id))),
        60_000,
        'every ticket on both queues',
      );
      // The contention test's tickets went out too: nothing is left in any stream.
      await waitFor(async () => (await outboxBacklog(redis)) === 0, 30_000, 'an empty outbox');
    } finally {
      await relay.stop();
      await Promise.all(readers.map((r) => r.stop()));
    }
  });
});

describeCluster('the purchase path on a Redis Cluster with a replica per master', () => {
  let under: ClusterUnderTest;

  beforeAll(async () => {
    under = await startClusterApp(1);
  });
  afterAll(async () => {
    await under?.app.close();
    await under?.cluster.stop();
  });

  it('sells each seat exactly once while the master of a slot of the sale fails over to its replica', async () => {
    let replicaPort = 0;
    const { slot } = await rushWhile(under, async (slot) => {
      const from = await under.cluster.ownerOf(slot);
      replicaPort = await under.cluster.failOver(slot);
      return `master ${from.port} of slot ${slot} failed over to its replica ${replicaPort}`;
    });
    expect((await under.cluster.ownerOf(slot)).port).toBe(replicaPort);
  });
});

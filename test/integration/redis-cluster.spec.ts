import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApiModule } from '../../src/api.module';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { CatalogService } from '../../src/catalog/catalog.service';
import { outboxBacklog } from '../../src/purchasing/outbox/outbox-backlog';
import { OutboxRelay } from '../../src/purchasing/outbox/outbox-relay';
import type { PurchaseOutcome } from '../../src/purchasing/purchase-outcome';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import { allOutboxKeys, outboxKey, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { SEAT_MAP, type SeatMap } from '../../src/purchasing/seat-map/seat-map.port';
import { TicketCache } from '../../src/read-model/get-ticket/ticket-cache';
import { isRedisUnavailable, REDIS, type RedisClient } from '../../src/redis/redis.factory';
import { inParallel } from '../support/platform';
import { QueueReader, waitFor } from '../support/queue-reader';
import { RedisClusterHarness, redisClusterUnavailable } from '../support/redis-cluster';
import { seatKey, seatPlan } from '../support/seat-plan';
import { freshEventId, saleEvent, testConfig, testTopology } from '../support/test-config';

const unavailable = redisClusterUnavailable();
const describeCluster = unavailable === undefined ? describe : describe.skip;

const DISTINCT = 6000;
const DUPLICATE_RATIO = 0.5;

describeCluster(
  `the purchase path on a 3-master Redis Cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let cluster: RedisClusterHarness;
    let app: INestApplicationContext;
    let redis: RedisClient;
    const slotOf = async (key: string): Promise<number> => Number(await cluster.admin().cluster('KEYSLOT', key));

    beforeAll(async () => {
      cluster = await RedisClusterHarness.start({ masters: 3 });
      // The relay is started by the test that checks it, after the outbox has been counted.
      const config = testConfig({ REDIS_CLUSTER_NODES: cluster.nodesSetting, OUTBOX_RELAY_ENABLED: 'false' });
      app = await NestFactory.createApplicationContext(ApiModule.forRoot(config, loadCatalog(config.CATALOG_FILE)), {
        logger: ['error'],
      });
      redis = app.get<RedisClient>(REDIS);
    });
    afterAll(async () => {
      await app?.close();
      await cluster?.stop();
    });

    it('spreads the 64 outbox streams over all three masters, and keeps each zone in the slot of its stream', async () => {
      const owners = new Set<number>();
      for (const key of allOutboxKeys()) owners.add((await cluster.ownerOf(await slotOf(key))).port);
      expect(owners.size).toBe(3);
      const keys = zoneKeys('Event1', 12);
      const slots = new Set(await Promise.all([keys.counts, keys.seats, keys.outbox].map(slotOf)));
      expect([...slots]).toEqual([await slotOf(outboxKey(keys.partition))]);
    });

    it('sells each seat exactly once under contention while a slot of the sale moves to another master', async () => {
      const eventId = freshEventId('cluster');
      expect(await app.get(CatalogService).openSale(saleEvent(eventId, 'Arena'))).toBe('CREATED');
      const movingSlot = await slotOf(zoneKeys(eventId, 1).outbox);
      const from = await cluster.ownerOf(movingSlot);
      const to = (await cluster.topology()).find((n) => n.role === 'master' && n.id !== from.id)!;

      const plan = seatPlan([1, 2], 26, DISTINCT, DUPLICATE_RATIO, 11);
      const bus = app.get(CommandBus);
      let done = 0;
      let retries = 0;
      let migration: Promise<number> | undefined;
      // A client: each request carries its own Idempotency-Key and is retried with it while Redis answers
      // "unavailable" (a slot mid-migration holds reservations back with TRYAGAIN until it has moved).
      const requests = plan.map((seat, i) => ({ seat, key: `${eventId}-${i}` }));
      const outcomes = await inParallel(requests, 200, async ({ seat, key }) => {
        for (let attempt = 1; ; attempt++) {
          try {
            const outcome: PurchaseOutcome = await bus.execute(
              new PurchaseSeatCommand('Arena', eventId, seat.zoneId, seat.row, seat.column, key),
            );
            // The slot starts moving once a third of the sale is in: it holds keys, and requests are in flight.
            if (++done === Math.round(plan.length / 3)) {
              migration = cluster.migrateSlot(movingSlot, to.port, { keysPerStep: 20, pauseMs: 5 });
            }
            return outcome;
          } catch (error) {
            if (!isRedisUnavailable(error) || attempt >= 200) throw error;
            retries++;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      });
      const keysMoved = await migration!;
      console.log(
        `cluster contention: ${plan.length} commands, ${DISTINCT} distinct seats, ${keysMoved} keys of slot ` +
          `${movingSlot} moved ${from.port} → ${to.port} mid-run, ${retries} client retries`,
      );

      expect((await cluster.ownerOf(movingSlot)).port).toBe(to.port);
      expect(keysMoved).toBeGreaterThan(0);
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

      // Redis agrees: counters and bitmaps of both zones, one outbox entry per ticket, a cache entry per ticket.
      const seatMap = app.get<SeatMap>(SEAT_MAP);
      for (const zoneId of [1, 2]) {
        const snapshot = await seatMap.snapshotZone(eventId, { zoneId, ticketPrice: 1, rowCount: 26, colCount: 400 });
        const sold = [...winners.keys()].filter((k) => k.startsWith(`${zoneId}:`));
        expect(snapshot!.taken).toHaveLength(sold.length);
        expect(snapshot!.zoneLeft).toBe(26 * 400 - sold.length);
      }
      expect(await outboxBacklog(redis)).toBe(DISTINCT);
      const cache = app.get(TicketCache);
      const cached = await Promise.all([...winners.values()].map((id) => cache.find(id)));
      expect(cached.filter((t) => t?.status === 'RESERVED')).toHaveLength(DISTINCT);
    });

    it('relays the outbox streams of every master: each ticket reaches both pipeline queues', async () => {
      // Events until their zones' streams sit on all three masters.
      const events: string[] = [];
      const masters = new Set<number>();
      while (masters.size < 3 && events.length < 30) {
        const eventId = freshEventId('relay');
        events.push(eventId);
        for (const zoneId of [1, 2])
          masters.add((await cluster.ownerOf(await slotOf(zoneKeys(eventId, zoneId).outbox))).port);
      }
      expect(masters.size).toBe(3);
      const bus = app.get(CommandBus);
      const sold = new Set<string>();
      for (const eventId of events) {
        expect(await app.get(CatalogService).openSale(saleEvent(eventId, 'Arena'))).toBe('CREATED');
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
  },
);

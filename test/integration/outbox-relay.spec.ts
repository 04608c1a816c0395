import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApiModule } from '../../src/api.module';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { OpenSaleCommand } from '../../src/catalog/open-sale/open-sale.command';
import { outboxBacklog } from '../../src/purchasing/outbox/outbox-backlog';
import { OUTBOX_GROUP, OutboxRelay } from '../../src/purchasing/outbox/outbox-relay';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import { RedisSeatRefunds } from '../../src/purchasing/seat-map/redis-seat-refunds';
import { allOutboxKeys, refundRecordKey, ticketCacheKey } from '../../src/purchasing/seat-map/seat-map.keys';
import { partitionOfTicketId } from '../../src/purchasing/ticket-id';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { REDIS, type RedisClient } from '../../src/platform/redis/redis.factory';
import { ChildProcessHandle, freePort } from '../support/child-process';
import { QueueReader, waitFor } from '../support/queue-reader';
import { RedisServer } from '../support/redis-server';
import { seatPlan } from '../../scripts/seat-plan';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId, saleEvent, testConfig, testTopology } from '../support/test-config';
import { sleep } from '../support/time';

const config = testConfig({ OUTBOX_RELAY_ENABLED: 'false' });

/** Reserves `count` distinct seats of a fresh Arena event through the CommandBus; returns the ticket ids. */
async function reserveSeats(app: INestApplicationContext, eventId: string, count: number): Promise<Set<string>> {
  expect(await app.get(CommandBus).execute(new OpenSaleCommand(saleEvent(eventId, 'Arena')))).toBe('CREATED');
  const bus = app.get(CommandBus);
  const outcomes = await Promise.all(
    seatPlan([1, 2], 26, count, 0, 1).map((s) =>
      bus.execute(new PurchaseSeatCommand('Arena', eventId, s.zoneId, s.row, s.column)),
    ),
  );
  return new Set(outcomes.map((o) => (o.kind === 'RESERVED' ? o.ticket.ticketId : 'unexpected')));
}

const cacheKeyOf = (ticketId: string): string => ticketCacheKey(partitionOfTicketId(ticketId)!, ticketId);

describe('outbox relay → RabbitMQ fan-out', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(ApiModule.forRoot(config, loadCatalog(config.CATALOG_FILE)), {
      logger: ['error'],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  async function readers(eventId: string): Promise<QueueReader[]> {
    return Promise.all(
      Object.values(testTopology().pipelines).map((q) => new QueueReader(config.AMQP_URL, q, eventId).start()),
    );
  }

  const distinct = (reader: QueueReader) => new Set(reader.received.map((t) => t.ticketId));

  it('delivers every reserved ticket exactly once on each of the two pipeline queues', async () => {
    const eventId = freshEventId('fanout');
    const tickets = await reserveSeats(app, eventId, 2000);
    const queues = await readers(eventId);
    const relay = app.get(OutboxRelay);
    relay.start();
    try {
      await waitFor(() => queues.every((q) => q.received.length >= tickets.size), 60_000, 'both queues');
      await sleep(300); // a late duplicate would show up now
      for (const queue of queues) {
        expect(queue.received).toHaveLength(tickets.size);
        expect(distinct(queue)).toEqual(tickets);
      }
      expect(queues[0]!.received[0]).toEqual(
        expect.objectContaining({
          eventId,
          venueId: 'Arena',
          price: expect.any(Number),
          createdOn: expect.any(String),
        }),
      );
    } finally {
      await relay.stop();
      for (const q of queues) await q.stop();
    }
  });

  it('relays TicketRefunded entries to both pipelines under their own pattern, each after its reservation', async () => {
    const eventId = freshEventId('refund-relay');
    const tickets = await reserveSeats(app, eventId, 40);
    const refunds = app.get(RedisSeatRefunds);
    const refunded = [...tickets].slice(0, 15);
    for (const ticketId of refunded) {
      const ticket = JSON.parse((await app.get<RedisClient>(REDIS).get(cacheKeyOf(ticketId)))!) as TicketReservedData;
      expect((await refunds.refund({ ...ticket, refundedOn: new Date().toISOString() })).code).toBe('REFUNDED');
    }
    const queues = await readers(eventId);
    const relay = app.get(OutboxRelay);
    relay.start();
    try {
      await waitFor(
        () => queues.every((q) => q.received.length >= tickets.size && q.refunds.length >= refunded.length),
        30_000,
        'reservations and refunds on both queues',
      );
      for (const queue of queues) {
        expect(new Set(queue.refunds.map((t) => t.ticketId))).toEqual(new Set(refunded));
        expect(queue.refunds[0]).toEqual(expect.objectContaining({ eventId, refundedOn: expect.any(String) }));
        for (const ticketId of refunded) {
          expect(queue.arrivals.indexOf(`TicketRefunded:${ticketId}`)).toBeGreaterThan(
            queue.arrivals.indexOf(`TicketReserved:${ticketId}`),
          );
        }
      }
    } finally {
      await relay.stop();
      for (const q of queues) await q.stop();
      const redis = app.get<RedisClient>(REDIS);
      for (const ticketId of refunded) await redis.del(refundRecordKey(partitionOfTicketId(ticketId)!, ticketId));
    }
  });

  it('loses nothing when the relaying API is SIGKILLed mid-stream with its broker link cut', async () => {
    const eventId = freshEventId('relaykill');
    const tickets = await reserveSeats(app, eventId, 3000);
    const queues = await readers(eventId);
    const brokerProxy = await new TcpProxy('127.0.0.1', 5672).start();
    const portA = await freePort();
    const relayA = ChildProcessHandle.start('main.api.js', {
      PORT: String(portA),
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${brokerProxy.port}`,
      OUTBOX_BATCH_SIZE: '100',
    });
    let relayB: ChildProcessHandle | undefined;
    try {
      await relayA.waitForHttp(portA);
      await waitFor(() => queues[0]!.received.length > 0, 30_000, 'relay A to publish');
      // Cut its broker link: batches it read now stay pending, unacknowledged; then it dies.
      brokerProxy.cut();
      await sleep(500);
      await relayA.kill('SIGKILL');
      const beforeTakeover = Math.min(...queues.map((q) => distinct(q).size));

      const portB = await freePort();
      relayB = ChildProcessHandle.start('main.api.js', { PORT: String(portB), OUTBOX_CLAIM_IDLE_MS: '1000' });
      await relayB.waitForHttp(portB);
      await waitFor(() => queues.every((q) => distinct(q).size >= tickets.size), 60_000, 'every ticket on both queues');
      for (const queue of queues) expect(distinct(queue)).toEqual(tickets);
      const duplicates = queues.map((q) => q.received.length - tickets.size);
      console.log(
        `relay kill: ${tickets.size} tickets, ${beforeTakeover} published before the kill, duplicates per queue after takeover ${duplicates.join('/')}`,
      );
    } finally {
      await relayA.kill();
      await relayB?.kill('SIGTERM');
      await brokerProxy.stop();
      for (const q of queues) await q.stop();
    }
  });

  it('keeps taking purchases while the broker is unreachable and relays them once it is back', async () => {
    const eventId = freshEventId('brokercut');
    const brokerProxy = await new TcpProxy('127.0.0.1', 5672).start();
    const proxied = testConfig({ AMQP_URL: `amqp://guest:guest@127.0.0.1:${brokerProxy.port}` });
    const api = await NestFactory.createApplicationContext(
      ApiModule.forRoot(proxied, loadCatalog(proxied.CATALOG_FILE)),
      {
        logger: ['error'],
      },
    );
    const queues = await readers(eventId);
    try {
      brokerProxy.cut();
      const tickets = await reserveSeats(api, eventId, 1000);
      expect(tickets.size).toBe(1000);
      await sleep(1000);
      expect(queues.every((q) => q.received.length === 0)).toBe(true);
      expect(await api.get(OutboxRelay).backlog()).toBeGreaterThanOrEqual(1000);
      brokerProxy.restore();
      await waitFor(() => queues.every((q) => distinct(q).size >= tickets.size), 60_000, 'relay after the cut');
      for (const queue of queues) expect(distinct(queue)).toEqual(tickets);
    } finally {
      await api.close();
      await brokerProxy.stop();
      for (const q of queues) await q.stop();
    }
  });
});

describe('outbox relay: acknowledging and deleting an entry', () => {
  // A Redis of its own: the backlog is counted over every stream, which the shared Redis fills with other runs.
  let redisServer: RedisServer;
  let app: INestApplicationContext;
  let redis: RedisClient;

  beforeAll(async () => {
    redisServer = await new RedisServer().start();
    const ownRedis = testConfig({ OUTBOX_RELAY_ENABLED: 'false', REDIS_URL: redisServer.url });
    app = await NestFactory.createApplicationContext(ApiModule.forRoot(ownRedis, loadCatalog(ownRedis.CATALOG_FILE)), {
      logger: ['error'],
    });
    redis = app.get<RedisClient>(REDIS);
  });
  afterAll(async () => {
    await app.close();
    await redisServer.stop();
  });

  it('does one atomic step: every XACK runs inside a script, followed there by the XDEL of the same ids', async () => {
    const eventId = freshEventId('ackdel');
    const queues = await Promise.all(
      Object.values(testTopology().pipelines).map((q) => new QueueReader(config.AMQP_URL, q, eventId).start()),
    );
    const monitor = await (redis as import('ioredis').Redis).duplicate().monitor();
    const commands: { source: string; args: string[] }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const name = args[0]?.toUpperCase();
      if (name === 'XACK' || name === 'XDEL') commands.push({ source, args: [name, ...args.slice(1)] });
    });
    const relay = app.get(OutboxRelay);
    try {
      const tickets = await reserveSeats(app, eventId, 300);
      relay.start();
      await waitFor(() => queues.every((q) => q.received.length >= tickets.size), 30_000, 'both queues');
      await waitFor(async () => (await outboxBacklog(redis)) === 0, 10_000, 'an empty outbox');
      const acks = commands.flatMap((command, i) => (command.args[0] === 'XACK' ? [i] : []));
      expect(acks.length).toBeGreaterThan(0);
      for (const i of acks) {
        const [ack, del] = [commands[i]!, commands[i + 1]];
        expect(ack.source).toBe('lua');
        // XACK stream group ...ids, then at once XDEL stream ...ids, in the same script.
        expect(del).toEqual({ source: 'lua', args: ['XDEL', ack.args[1], ...ack.args.slice(3)] });
      }
    } finally {
      await relay.stop();
      monitor.disconnect();
      for (const q of queues) await q.stop();
    }
  });

  it('clears entries an older relay acknowledged but never deleted, so the backlog (and rebuild:seats) can reach 0', async () => {
    const eventId = freshEventId('ackleft');
    // The state a relay killed between its XACK and its XDEL leaves: read by the group, acknowledged, still there.
    const leftBehind = await reserveSeats(app, eventId, 200);
    for (const key of allOutboxKeys()) {
      await redis.xgroup('CREATE', key, OUTBOX_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) throw error;
      });
      const read = (await redis.xreadgroup('GROUP', OUTBOX_GROUP, 'old-relay', 'STREAMS', key, '>')) as
        [string, [string, string[]][]][] | null;
      const ids = read?.[0]?.[1].map(([id]) => id) ?? [];
      if (ids.length > 0) expect(await redis.xack(key, OUTBOX_GROUP, ...ids)).toBe(ids.length);
    }
    const lengths = await Promise.all(allOutboxKeys().map((key) => redis.xlen(key)));
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(leftBehind.size);

    const laterEventId = freshEventId('acklater');
    const queues = await Promise.all(
      Object.values(testTopology().pipelines).map((q) =>
        new QueueReader(config.AMQP_URL, q, [eventId, laterEventId]).start(),
      ),
    );
    const relay = app.get(OutboxRelay);
    try {
      const later = await reserveSeats(app, laterEventId, 100);
      relay.start();
      await waitFor(() => queues.every((q) => q.received.length >= later.size), 30_000, 'the later tickets');
      await waitFor(async () => (await outboxBacklog(redis)) === 0, 10_000, 'the backlog to reach 0');
      // The acknowledged entries were already relayed by the older relay: cleared, not sent again.
      for (const queue of queues) expect(new Set(queue.received.map((t) => t.ticketId))).toEqual(later);
    } finally {
      await relay.stop();
      for (const q of queues) await q.stop();
    }
  });
});

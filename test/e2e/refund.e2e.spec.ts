import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { AMQP_CONNECTION_NAMES } from '../../src/platform/amqp/amqp-connection.factory';
import { AmqpPublisher, type OutgoingMessage } from '../../src/platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../../src/platform/amqp/ticket-message';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { TicketRefundedEvent } from '../../src/purchasing/ticket-refunded.event';
import { TicketReservedEvent } from '../../src/purchasing/ticket-reserved.event';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { SseReader } from '../support/sse-reader';
import { ChildProcessHandle, freePort } from '../support/child-process';
import { RedisServer } from '../support/redis-server';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId, TEST_ADMIN_TOKEN, testConfig, testTopology } from '../support/test-config';
import { runVerify } from '../support/verify-cli';

const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('refunds through HTTP, with real processes: buy -> refund -> both stores REFUNDED -> the seat sells again', () => {
  let platform: Platform;
  let publisher: AmqpPublisher;
  /**
   * A Redis of this file's own: the outbox streams have fixed names, so on a shared Redis the relay of another
   * run's API (another namespace) may take this run's entries.
   */
  let redisServer: RedisServer;

  beforeAll(async () => {
    redisServer = await new RedisServer().start();
    platform = await new Platform({ redisUrl: redisServer.url }).start();
    publisher = new AmqpPublisher(testConfig().AMQP_URL, testTopology(), AMQP_CONNECTION_NAMES.apiPublisher);
  });
  afterAll(async () => {
    await publisher.close();
    await platform.stop();
    await redisServer.stop();
  });

  /** A message as the relay would send it, with an id of its own (a redelivery the broker counts anew). */
  const message = (type: string, items: object[]): OutgoingMessage => ({
    messageId: `manual-${type}-${Math.random()}`,
    type,
    body: ticketMessageJson(
      type,
      items.map((item) => JSON.stringify(item)),
    ),
  });
  /** Publishes and waits until both pipelines have handled that many more items. */
  const deliver = async (messages: OutgoingMessage[], items: number) => {
    const handled = async () => (await platform.pipelineFigures()).map((p) => p.handled);
    const before = await handled();
    await publisher.publishBatch(messages);
    await waitFor(
      async () => (await handled()).every((n, i) => n >= before[i]! + items),
      30_000,
      'both pipelines to handle the redeliveries',
    );
  };

  const buy = async (eventId: string, row: string, column: number): Promise<TicketReservedData> => {
    const response = await platform.request('POST', '/api/v1/tickets', {
      venueId: 'Arena',
      eventId,
      zoneId: 1,
      row,
      column,
    });
    expect(response.status).toBe(201);
    return response.body as TicketReservedData;
  };
  const refund = (ticketId: string, body?: object, headers: Record<string, string> = ADMIN) =>
    platform.request('POST', `/api/v1/tickets/${ticketId}/refund`, body, headers);

  it('refunds a ticket: 200, REFUNDED in both stores, /sales drops, the seat sells again to a new ticket id, verify exits 0', async () => {
    const eventId = freshEventId('e2e-refund');
    await platform.openSale(eventId, 'Arena');
    const kept = await buy(eventId, 'A', 1);
    const sold = await buy(eventId, 'A', 2);

    expect((await refund(sold.ticketId, {}, {})).status).toBe(401);
    expect((await refund(sold.ticketId, { reason: '' })).status).toBe(400);
    const refunded = await refund(sold.ticketId, { reason: 'customer request' });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toEqual({
      ...sold,
      status: 'REFUNDED',
      reason: 'customer request',
      refundedOn: expect.any(String),
    });
    expect(await refund(sold.ticketId)).toMatchObject({ status: 409, body: { error: 'ALREADY_REFUNDED' } });
    expect(await refund('00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404 });
    await platform.waitUntilStoresAgree(eventId, 1, 30_000);
    const written = new Map((await platform.writeStore.listEventTickets(eventId)).map((t) => [t.ticketId, t]));
    expect(written.get(sold.ticketId)).toMatchObject({ status: 'REFUNDED', reason: 'customer request' });
    expect(written.get(kept.ticketId)?.status).toBe('RESERVED');
    expect(await platform.request('GET', `/api/v1/tickets/${sold.ticketId}`)).toMatchObject({
      status: 200,
      body: { status: 'REFUNDED', refundedOn: refunded.body.refundedOn },
    });
    expect((await platform.request('GET', `/api/v1/events/${eventId}/sales`)).body).toMatchObject({
      ticketsSold: 1,
      revenue: kept.price,
    });

    const resold = await buy(eventId, 'A', 2);
    expect(resold.ticketId).not.toBe(sold.ticketId);
    await platform.waitUntilStoresAgree(eventId, 2, 30_000);
    const stream = await platform.writeStore.readSeatStream(eventId, 1, 'A', 2);
    expect(stream.map((e) => [e.version, e.type, e.ticketId])).toEqual([
      [1, 'TicketReserved', sold.ticketId],
      [2, 'TicketRefunded', sold.ticketId],
      [3, 'TicketReserved', resold.ticketId],
    ]);
    expect((await platform.request('GET', `/api/v1/events/${eventId}/sales`)).body).toMatchObject({ ticketsSold: 2 });
    // Refunding the first ticket again must never free the new owner's seat.
    expect((await refund(sold.ticketId)).status).toBe(409);
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);

    // Redeliveries through the real pipelines: the refund again, and the refunded reservation again (stale).
    // (The 201 and 200 bodies carry a `status` the consumers' schemas strip.)
    await deliver([message(TicketRefundedEvent.type, [refunded.body]), message(TicketReservedEvent.type, [sold])], 2);
    expect((await platform.writeStore.readSeatStream(eventId, 1, 'A', 2)).map((e) => e.version)).toEqual([1, 2, 3]);
    await platform.waitUntilStoresAgree(eventId, 2, 30_000);
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);

    // The read model rebuilt from the write store tells the same story.
    expect(await platform.consistency.rebuildReadModel(eventId, () => undefined)).toEqual({
      reserved: 2,
      cancelled: 0,
      refunded: 1,
    });
    expect((await platform.request('GET', `/api/v1/tickets/${sold.ticketId}`)).body).toMatchObject({
      status: 'REFUNDED',
      reason: 'customer request',
    });
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);
  });

  it('refuses to refund a ticket the write store cancelled (409 TICKET_CANCELLED), and refunds its seat owner', async () => {
    const eventId = freshEventId('e2e-refund-cancelled');
    await platform.openSale(eventId, 'Arena');
    const owner = await buy(eventId, 'C', 1);
    // A second ticket for the same seat, as only a Redis that lost the seat would sell: the write store refuses it.
    const refused = { ...owner, ticketId: '00000000-0000-4000-8000-0000000000c1' };
    delete (refused as { status?: string }).status;
    await deliver([message(TicketReservedEvent.type, [refused])], 1);
    await waitFor(
      async () => (await platform.request('GET', `/api/v1/tickets/${refused.ticketId}`)).body?.status === 'CANCELLED',
      30_000,
      'the cancellation in the read model',
    );

    expect(await refund(refused.ticketId)).toMatchObject({ status: 409, body: { error: 'TICKET_CANCELLED' } });
    expect((await refund(owner.ticketId)).status).toBe(200);
    await platform.waitUntilStoresAgree(eventId, 0, 30_000);
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);
  });

  it('refunds a ticket exactly once under 50 concurrent refunds: one 200, 49 ALREADY_REFUNDED; verify exits 0', async () => {
    const eventId = freshEventId('e2e-refund-race');
    await platform.openSale(eventId, 'Arena');
    const tickets = [await buy(eventId, 'B', 1), await buy(eventId, 'B', 2)];

    const responses = await inParallel(Array.from({ length: 50 }), 50, () => refund(tickets[0]!.ticketId));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409 && r.body.error === 'ALREADY_REFUNDED')).toHaveLength(49);
    await platform.waitUntilStoresAgree(eventId, 1, 30_000);
    const counters = await platform.redis.hgetall(zoneKeys(eventId, 1).counts);
    expect(Number(counters['r:B'])).toBe(Number(counters['cols']) - 1);
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);

    // Seat recovery: Redis loses the zone; rebuilt from the write store, the refunded seat is free.
    const keys = zoneKeys(eventId, 1);
    await platform.redis.del(keys.counts, keys.seats);
    await platform.consistency.rebuildSeats(eventId, () => undefined, undefined, new Set([1]));
    expect(await platform.redis.getbit(keys.seats, 0)).toBe(0); // B1 is bit cols, A1 bit 0: both free
    const cols = Number(await platform.redis.hget(keys.counts, 'cols'));
    expect(await platform.redis.getbit(keys.seats, cols)).toBe(0);
    expect(await platform.redis.getbit(keys.seats, cols + 1)).toBe(1);
    expect((await runVerify(eventId, platform.storeEnv())).exitCode).toBe(0);
  });

  it('shows a refunded seat freed on the live seat map (`event: freed`) within seconds', async () => {
    const eventId = freshEventId('e2e-refund-live');
    await platform.openSale(eventId, 'Arena');
    const stream = await SseReader.open(`http://127.0.0.1:${platform.apiPort}/api/v1/events/${eventId}/seat-stream`);
    try {
      const sold = await buy(eventId, 'D', 4);
      const seen = (event: string) =>
        stream.events.some(
          (e) =>
            e.event === event &&
            e.data.seats.some((s: { row: string; column: number }) => s.row === 'D' && s.column === 4),
        );
      await waitFor(() => seen('seats'), 30_000, 'the seat taken live');
      expect((await refund(sold.ticketId)).status).toBe(200);
      await waitFor(() => seen('freed'), 30_000, 'the seat freed live');
    } finally {
      stream.close();
    }
  });

  it('answers 503 with retry-after while the read model is unreachable, and refunds once it is back', async () => {
    const eventId = freshEventId('e2e-refund-mysql');
    await platform.openSale(eventId, 'Arena');
    const sold = await buy(eventId, 'E', 1);
    await platform.waitUntilStoresAgree(eventId, 1, 30_000);
    // A second API whose MySQL goes through a proxy the test can cut.
    const mysql = new URL(platform.mysqlUrl);
    const proxy = await new TcpProxy(mysql.hostname, Number(mysql.port || 3306)).start();
    mysql.host = `127.0.0.1:${proxy.port}`;
    const port = await freePort();
    const api = ChildProcessHandle.start(
      'main.api.js',
      platform.apiEnv({ PORT: String(port), MYSQL_URL: mysql.toString(), OUTBOX_RELAY_ENABLED: 'false' }),
    );
    try {
      await api.waitForHttp(port);
      const refundVia = () =>
        fetch(`http://127.0.0.1:${port}/api/v1/tickets/${sold.ticketId}/refund`, { method: 'POST', headers: ADMIN });
      proxy.cut();
      const refused = await refundVia();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: 'UNAVAILABLE' });
      proxy.restore();
      await waitFor(async () => (await refundVia()).status === 200, 15_000, 'the refund once MySQL is back');
    } finally {
      await api.kill('SIGTERM');
      await proxy.stop();
    }
    await platform.waitUntilStoresAgree(eventId, 0, 30_000);
  });
});

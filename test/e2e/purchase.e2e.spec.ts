import { Redis } from 'ioredis';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /api/v1/tickets over HTTP', () => {
  let api: ApiServer;
  let redis: Redis;
  const events: string[] = [];
  let eventId: string;

  const seat = (over: Record<string, unknown> = {}) => ({
    venueId: 'TinyHall',
    eventId,
    zoneId: 1,
    row: 'A',
    column: 1,
    ...over,
  });

  beforeAll(async () => {
    // No relay: these records are cleaned up below instead of being published.
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false' }));
    redis = new Redis(testConfig().REDIS_URL);
  });
  afterAll(async () => {
    for (const id of events) await deleteOutboxRecordsOf(redis, id);
    await redis.quit();
    await api.close();
  });
  beforeEach(async () => {
    eventId = freshEventId('http');
    events.push(eventId);
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
  });

  it('201 with the ticket for a free seat', async () => {
    const response = await api.purchase(seat({ row: 'B', column: 2 }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      ticketId: expect.stringMatching(UUID),
      venueId: 'TinyHall',
      eventId,
      zoneId: 1,
      row: 'B',
      column: 2,
      price: 50,
      status: 'RESERVED',
      createdOn: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(response.body.createdOn))).toBe(false);
  });

  it('409 SEAT_TAKEN, ROW_SOLD_OUT and ZONE_SOLD_OUT', async () => {
    expect((await api.purchase(seat())).status).toBe(201);
    expect(await api.purchase(seat())).toMatchObject({
      status: 409,
      body: { error: 'SEAT_TAKEN', message: expect.any(String) },
    });
    expect((await api.purchase(seat({ column: 2 }))).status).toBe(201);
    expect(await api.purchase(seat({ column: 2 }))).toMatchObject({ status: 409, body: { error: 'ROW_SOLD_OUT' } });
    expect((await api.purchase(seat({ row: 'B', column: 1 }))).status).toBe(201);
    expect((await api.purchase(seat({ row: 'B', column: 2 }))).status).toBe(201);
    expect(await api.purchase(seat({ row: 'B', column: 1 }))).toMatchObject({
      status: 409,
      body: { error: 'ZONE_SOLD_OUT' },
    });
  });

  it.each([
    ['an unknown venue', { venueId: 'Nowhere' }],
    ['an event at another venue', { venueId: 'Arena' }],
    ['an unknown event', { eventId: 'no-such-event' }],
    ['an unknown zone', { zoneId: 9 }],
    ['a row outside the grid', { row: 'C' }],
    ['a column outside the grid', { column: 3 }],
  ])('404 NOT_FOUND for %s', async (_label, over) => {
    const response = await api.purchase(seat(over));
    expect(response).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', message: expect.any(String) } });
  });

  it.each([
    ['a missing field', { column: undefined }, 'column'],
    ['a string zoneId', { zoneId: '1' }, 'zoneId'],
    ['a float column', { column: 1.5 }, 'column'],
    ['a negative zoneId', { zoneId: -1 }, 'zoneId'],
    ['a lower-case row', { row: 'a' }, 'row'],
    ['a two-letter row', { row: 'AA' }, 'row'],
    ['an extra field', { price: 1 }, '(body)'],
    ['an identifier with a brace', { eventId: 'x{1}' }, 'eventId'],
  ])('400 VALIDATION_FAILED for %s', async (_label, over, path) => {
    const response = await api.purchase(seat(over));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
    expect(response.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('400 for malformed JSON and for a body that is not an object', async () => {
    const malformed = await api.request('POST', '/api/v1/tickets', { raw: '{"venueId": ' });
    expect(malformed).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED' } });
    const array = await api.request('POST', '/api/v1/tickets', { raw: '[1,2]' });
    expect(array).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED' } });
  });

  it('413 for a body over the limit, and the seat stays free', async () => {
    const response = await api.request('POST', '/api/v1/tickets', {
      raw: JSON.stringify({ ...seat(), padding: 'x'.repeat(10_000) }),
    });
    expect(response).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE' } });
    expect((await api.purchase(seat())).status).toBe(201);
  });

  it('Idempotency-Key: a retry returns the original ticket; another seat with the same key gets 422', async () => {
    const key = `order-${eventId}`;
    const first = await api.purchase(seat(), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const retry = await api.purchase(seat(), { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const other = await api.purchase(seat({ row: 'B' }), { 'idempotency-key': key });
    expect(other).toMatchObject({ status: 422, body: { error: 'IDEMPOTENCY_KEY_REUSED' } });
    expect((await api.purchase(seat({ row: 'B' }))).status).toBe(201);
    const badKey = await api.purchase(seat({ column: 2 }), { 'idempotency-key': 'has space' });
    expect(badKey).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED' } });
  });

  it('concurrent retries with one Idempotency-Key get one ticket between them', async () => {
    const key = `burst-${eventId}`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => api.purchase(seat({ zoneId: 2, column: 3 }), { 'idempotency-key': key })),
    );
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.ticketId));
    expect(ids.size).toBe(1);
    // The decision and the idempotency record are one atomic script call: every racer gets the one ticket.
    expect(responses.every((r) => r.status === 201)).toBe(true);
  });
});

describe('POST /api/v1/admin/events', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false' }));
  });
  afterAll(async () => {
    await api.close();
  });

  it('201 creates the event and opens its seat map; 409 when it exists', async () => {
    const eventId = freshEventId('admin');
    const created = await api.openSale(saleEvent(eventId, 'TinyHall'));
    expect(created).toMatchObject({ status: 201, body: { eventId, venueId: 'TinyHall', status: 'OPEN' } });
    expect(await api.request('GET', `/api/v1/events/${eventId}`)).toMatchObject({ status: 200, body: { eventId } });
    expect((await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 2, row: 'A', column: 3 })).status).toBe(201);
    expect(await api.openSale(saleEvent(eventId, 'TinyHall'))).toMatchObject({
      status: 409,
      body: { error: 'EVENT_EXISTS' },
    });
    // Re-opening did not reset the sale.
    expect((await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 2, row: 'A', column: 3 })).status).toBe(409);
  });

  it('404 for an unknown venue', async () => {
    expect(await api.openSale(saleEvent(freshEventId('admin'), 'Nowhere'))).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
  });

  it('401 without a token or with a wrong one, and nothing is created', async () => {
    const eventId = freshEventId('admin');
    const none = await api.request('POST', '/api/v1/admin/events', { body: saleEvent(eventId, 'TinyHall') });
    expect(none).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'), 'wrong-token-wrong-token')).status).toBe(401);
    expect((await api.request('GET', `/api/v1/events/${eventId}`)).status).toBe(404);
  });

  it('400 on a bad body', async () => {
    const response = await api.openSale({ eventId: 'x', venueId: 'TinyHall', name: 'n', type: 't', date: 'tomorrow' });
    expect(response).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED' } });
    expect(response.body.issues).toEqual([expect.objectContaining({ path: 'date' })]);
  });
});

describe('catalog endpoints', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false' }));
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists venues, shows one, and 404s an unknown one', async () => {
    const list = await api.request('GET', '/api/v1/venues');
    expect(list.status).toBe(200);
    expect(list.body.map((v: { venueId: string }) => v.venueId)).toEqual(['Venue1', 'TinyHall', 'Arena']);
    expect(await api.request('GET', '/api/v1/venues/TinyHall')).toMatchObject({
      status: 200,
      body: {
        venueId: 'TinyHall',
        city: 'Victoria',
        zones: [{ zoneId: 1, ticketPrice: 50, rowCount: 2, colCount: 2 }, expect.any(Object)],
      },
    });
    expect(await api.request('GET', '/api/v1/venues/Nowhere')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
    expect(await api.request('GET', '/api/v1/events/Nowhere')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
  });
});

describe('Redis unreachable', () => {
  it('answers 503 UNAVAILABLE fast instead of hanging, and recovers when Redis is back', async () => {
    const proxy = await new TcpProxy('127.0.0.1', 6379).start();
    const api = await ApiServer.start(
      testConfig({
        OUTBOX_RELAY_ENABLED: 'false',
        REDIS_URL: `redis://127.0.0.1:${proxy.port}${new URL(testConfig().REDIS_URL).pathname}`,
      }),
    );
    const redis = new Redis(testConfig().REDIS_URL);
    const eventId = freshEventId('down');
    try {
      expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
      proxy.cut();
      const started = Date.now();
      const response = await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 1, row: 'A', column: 1 });
      expect(response).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE' } });
      expect(response.headers.get('retry-after')).toBe('1');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await api.request('GET', '/health/ready')).status).toBe(503);
      proxy.restore();
      let status = 0;
      for (let i = 0; i < 100 && status !== 201; i++) {
        await sleep(100);
        status = (await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 1, row: 'A', column: 1 })).status;
      }
      expect(status).toBe(201);
    } finally {
      await deleteOutboxRecordsOf(redis, eventId);
      await redis.quit();
      await api.close();
      await proxy.stop();
    }
  });
});

import { Platform } from '../support/platform';
import { SseReader } from '../support/sse-reader';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId } from '../support/test-config';
import { sleep } from '../support/time';

/** The seats a snapshot zone marks taken ("A1"), decoded from its bitmap. */
function takenIn(zone: { rows: number; columns: number; taken: string }): Set<string> {
  const bits = Buffer.from(zone.taken, 'base64');
  const seats = new Set<string>();
  for (let i = 0; i < zone.rows * zone.columns; i++) {
    if ((bits[i >> 3]! & (0x80 >> (i & 7))) !== 0) {
      seats.add(`${String.fromCharCode(65 + Math.floor(i / zone.columns))}${(i % zone.columns) + 1}`);
    }
  }
  return seats;
}

/** Every seat of `zoneId` a stream has shown taken so far: its snapshots and the seats sent since. */
function seenTaken(stream: SseReader, zoneId: number): Set<string> {
  const seen = new Set<string>();
  for (const { event, data } of stream.events) {
    if (event === 'snapshot') for (const s of takenIn(data.zones.find((z: any) => z.zoneId === zoneId))) seen.add(s);
    if (event === 'seats') {
      for (const s of data.seats) if (s.zoneId === zoneId) seen.add(`${s.row}${s.column}`);
    }
  }
  return seen;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(200);
    value = await read();
  }
  return value;
}

describe('web pages and live streams (API and worker processes)', () => {
  let platform: Platform;
  /** Between the API and RabbitMQ (relay and live feed), for the outage; the worker connects directly. */
  let brokerProxy: TcpProxy;
  const eventId = freshEventId('live');
  const streams: SseReader[] = [];
  const base = () => `http://127.0.0.1:${platform.apiPort}`;
  const open = async (path: string) => {
    const stream = await SseReader.open(`${base()}${path}`);
    streams.push(stream);
    return stream;
  };
  const seat = (zoneId: number, row: string, column: number) => ({ venueId: 'TinyHall', eventId, zoneId, row, column });

  beforeAll(async () => {
    brokerProxy = await new TcpProxy('127.0.0.1', 5672).start();
    platform = new Platform({
      api: { LIVE_MAX_CLIENTS: '3', AMQP_URL: `amqp://guest:guest@127.0.0.1:${brokerProxy.port}` },
    });
    await platform.start();
    await platform.openSale(eventId, 'TinyHall');
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await platform.stop();
    await brokerProxy.stop();
  });

  it('serves /, /events/:eventId and /ops with their assets, and the API routes stay the API', async () => {
    const index = await fetch(`${base()}/`);
    const html = await index.text();
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(html).toContain('Events on sale');
    const script = /src="(\/assets\/[\w.-]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base()}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await asset.arrayBuffer();

    for (const [path, title] of [
      [`/events/${eventId}`, 'seat map'],
      ['/ops', 'operations'],
    ]) {
      const page = await fetch(`${base()}${path}`);
      expect({ path, status: page.status, type: page.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: expect.stringMatching(/^text\/html/),
      });
      expect(await page.text()).toContain(`<title>Ticketing — ${title}</title>`);
    }

    expect(await platform.request('GET', '/api/v1/no-such-thing')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
    const events = await platform.request('GET', '/api/v1/events');
    expect(events.status).toBe(200);
    expect(events.body).toEqual(expect.arrayContaining([expect.objectContaining({ eventId, venueId: 'TinyHall' })]));
  });

  it('streams a snapshot, then the seat another client buys, without a reload', async () => {
    expect((await platform.purchaseWithRetry(seat(1, 'A', 1), `${eventId}-a1`)).status).toBe(201);
    const stream = await open(`/api/v1/events/${eventId}/seat-stream`);
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The headers every answer carries survive the stream taking the response over.
    expect(stream.response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(stream.response.headers.get('x-content-type-options')).toBe('nosniff');
    const snapshot = await stream.next('snapshot');
    expect(snapshot).toMatchObject({ eventId, venueId: 'TinyHall', complete: true });
    expect(snapshot.zones.map((z: any) => [z.zoneId, z.price, z.rows, z.columns])).toEqual([
      [1, 50, 2, 2],
      [2, 25, 1, 3],
    ]);
    // Bought before the page opened: in the snapshot (read model or live feed) or sent just after it.
    await stream.until(() => seenTaken(stream, 1).has('A1'), 'seat A1 taken');

    // Another buyer, through the HTTP API: the open stream shows the seat within seconds.
    expect((await platform.purchaseWithRetry(seat(1, 'B', 2), `${eventId}-b2`)).status).toBe(201);
    const pushed = await stream.next('seats', (d) => d.seats.some((s: any) => s.row === 'B' && s.column === 2));
    expect(pushed.seats).toContainEqual({ zoneId: 1, row: 'B', column: 2 });
  });

  it('gives a page opened after an API restart its seats from the read model; SIGTERM ends open streams', async () => {
    await eventually(
      () => platform.request('GET', `/api/v1/events/${eventId}/zones/1/seats`),
      (r) => r.status === 200 && r.body.taken.length === 2,
    );
    const before = streams[streams.length - 1]!;
    await platform.api.kill('SIGTERM');
    // An open stream must not hold the shutdown: the process exits cleanly, the stream is ended.
    expect(platform.api.child.exitCode).toBe(0);
    await sleep(100);
    expect(before.closed).toBe(true);

    await platform.startApi();
    const stream = await open(`/api/v1/events/${eventId}/seat-stream`);
    const snapshot = await stream.next('snapshot');
    expect(snapshot.complete).toBe(true);
    expect([...takenIn(snapshot.zones.find((z: any) => z.zoneId === 1))].sort()).toEqual(['A1', 'B2']);
    expect(snapshot.zones.find((z: any) => z.zoneId === 1).sold).toBe(2);
  });

  it('sends the ops figures: sales by zone, purchase outcomes, outbox backlog and the pipelines', async () => {
    expect((await platform.purchaseWithRetry(seat(1, 'A', 1), `${eventId}-a1-again`)).status).toBe(409);
    expect((await platform.purchaseWithRetry(seat(2, 'A', 3), `${eventId}-2a3`)).status).toBe(201);
    const ops = await eventually(
      () => platform.request('GET', `/api/v1/ops/dashboard?eventId=${eventId}`),
      (r) => r.status === 200 && r.body.event?.ticketsSold === 3,
    );
    expect(ops.body.event).toMatchObject({
      eventId,
      venueId: 'TinyHall',
      ticketsSold: 3,
      revenue: 125,
      zones: [
        { zoneId: 1, price: 50, capacity: 4, sold: 2, revenue: 100 },
        { zoneId: 2, price: 25, capacity: 3, sold: 1, revenue: 25 },
      ],
    });
    // This API process answered one 201 and one 409 since its restart.
    expect(ops.body.purchases.outcomes).toMatchObject({ RESERVED: 1, SEAT_TAKEN: 1 });
    expect(typeof ops.body.outboxBacklog).toBe('number');
    expect(ops.body.pipelines.map((p: any) => [p.name, p.consumers >= 1, typeof p.ready])).toEqual([
      ['write-store', true, 'number'],
      ['read-model', true, 'number'],
    ]);
    expect(ops.body.checkpoints).toContainEqual(
      expect.objectContaining({ pipeline: 'ticket-reserved', eventsApplied: expect.any(Number) }),
    );
    expect(ops.body.feed.connected).toBe(true);
    expect(await platform.request('GET', '/api/v1/ops/dashboard?eventId=no%20spaces')).toMatchObject({
      status: 400,
    });

    const stream = await open(`/api/v1/ops/stream?eventId=${eventId}`);
    // Rates need two samples a second apart: the second snapshot has them.
    const live = await stream.next('ops', (s) => s.event?.ticketsSold === 3 && s.purchases.perSecond !== null);
    expect(live.purchases.perSecond).toEqual({
      total: expect.any(Number),
      created: expect.any(Number),
      conflict: expect.any(Number),
      other: expect.any(Number),
    });
    expect(live.event.reservedPerSecond).toEqual(expect.any(Number));
    stream.close();
  });

  it('keeps an open page current across a broker outage: the seats relayed meanwhile reach it afterwards', async () => {
    const stream = await open(`/api/v1/events/${eventId}/seat-stream`);
    await stream.next('snapshot');
    brokerProxy.cut();
    await eventually(
      () => platform.request('GET', '/api/v1/ops/dashboard'),
      (r) => r.body.feed.connected === false,
    );
    // Sold while the API has no broker: held in the outbox, relayed when the link is back.
    expect((await platform.purchaseWithRetry(seat(2, 'A', 1), `${eventId}-2a1`)).status).toBe(201);
    brokerProxy.restore();
    const pushed = await stream.next(
      'seats',
      (d) => d.seats.some((s: any) => s.zoneId === 2 && s.row === 'A' && s.column === 1),
      30_000,
    );
    expect(pushed.seats).toContainEqual({ zoneId: 2, row: 'A', column: 1 });
    expect((await platform.request('GET', '/api/v1/ops/dashboard')).body.feed.connected).toBe(true);
    // The stream itself came from the API process, never through the broker: the same connection throughout.
    expect(stream.events.filter((e) => e.event === 'snapshot')).toHaveLength(1);
  });

  it('caps the open streams (LIVE_MAX_CLIENTS) and frees a slot when a client goes away', async () => {
    for (const stream of streams.splice(0)) stream.close();
    const path = `/api/v1/events/${eventId}/seat-stream`;
    // The server notices closed connections asynchronously: retry until the three slots are free again.
    const first = await eventually(
      () => SseReader.open(`${base()}${path}`),
      (s) => s.status === 200,
    );
    streams.push(first);
    await open(path);
    await open(path);
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await SseReader.open(`${base()}${path}`);
    expect(refused.status).toBe(503);
    expect(refused.response.headers.get('retry-after')).toBe('5');
    expect(refused.body.error).toBe('UNAVAILABLE');

    streams.shift()!.close();
    const again = await eventually(
      () => open(path),
      (s) => s.status === 200,
    );
    expect(again.status).toBe(200);
    expect((await again.next('snapshot')).eventId).toBe(eventId);
    for (const stream of streams.splice(0)) stream.close();
  });

  it('answers 404 for an unknown event and 400 for a malformed id instead of a stream', async () => {
    // The slots of the streams just closed are freed once the server has seen them go.
    await eventually(
      () => platform.request('GET', `/api/v1/events/${eventId}-nope/seat-stream`),
      (r) => r.status !== 503,
    );
    expect(await platform.request('GET', `/api/v1/events/${eventId}-nope/seat-stream`)).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
    expect(await platform.request('GET', '/api/v1/events/bad%20id/seat-stream')).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION_FAILED' },
    });
  });
});

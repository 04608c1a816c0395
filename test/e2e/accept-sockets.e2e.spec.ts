import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { seatKey, seatPlan } from '../../scripts/seat-plan';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';

/** Sockets in LISTEN state on 127.0.0.1:port, as the kernel lists them. */
function listeningSockets(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === '0A').length;
}

/** One purchase on a connection of its own (no keep-alive agent), so every request is a new accept. */
function purchaseOnNewConnection(baseUrl: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      `${baseUrl}/api/v1/tickets`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const canConnect = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/health/live`).then(
    () => true,
    () => false,
  );

describe('HTTP_ACCEPT_SOCKETS: several sockets share the API port', () => {
  let redis: Redis;
  const events: string[] = [];

  beforeAll(() => {
    redis = new Redis(testConfig().REDIS_URL);
  });
  afterAll(async () => {
    for (const id of events) await deleteOutboxRecordsOf(redis, id);
    await redis.quit();
  });

  it('binds them all, sells each seat once to a burst of new connections over them, and closes them all', async () => {
    const api = await ApiServer.start(testConfig({ HTTP_ACCEPT_SOCKETS: '4', OUTBOX_RELAY_ENABLED: 'false' }));
    const port = Number(new URL(api.baseUrl).port);
    try {
      expect(listeningSockets(port)).toBe(4);
      const eventId = freshEventId('accept');
      events.push(eventId);
      expect((await api.openSale(saleEvent(eventId, 'Venue1'))).status).toBe(201);

      // 300 seats, each asked for by 2-3 buyers at once, every request on a connection of its own: the kernel
      // spreads the connections over the four sockets, three of which hand theirs to the HTTP server.
      const plan = seatPlan([1, 2], 26, 300, 1.5, 11);
      const statuses = await Promise.all(
        plan.map((seat) => purchaseOnNewConnection(api.baseUrl, { venueId: 'Venue1', eventId, ...seat })),
      );
      const winners = new Map<string, number>();
      plan.forEach((seat, i) => {
        if (statuses[i] === 201) winners.set(seatKey(seat), (winners.get(seatKey(seat)) ?? 0) + 1);
      });
      expect({
        created: statuses.filter((s) => s === 201).length,
        conflicts: statuses.filter((s) => s === 409).length,
        other: statuses.filter((s) => s !== 201 && s !== 409).length,
        seatsSoldTwice: [...winners.values()].filter((n) => n > 1).length,
      }).toEqual({ created: 300, conflicts: plan.length - 300, other: 0, seatsSoldTwice: 0 });
    } finally {
      await api.close();
    }
    expect(listeningSockets(port)).toBe(0);
    expect(await canConnect(port)).toBe(false);
  });

  it('HTTP_ACCEPT_SOCKETS=1 listens on the one socket of the HTTP server', async () => {
    const api = await ApiServer.start(testConfig({ HTTP_ACCEPT_SOCKETS: '1' }));
    const port = Number(new URL(api.baseUrl).port);
    try {
      expect(listeningSockets(port)).toBe(1);
      expect(await canConnect(port)).toBe(true);
    } finally {
      await api.close();
    }
  });
});

import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';

const LIMIT = 2;

/** A POST with the path sent byte for byte: fetch and URL would normalise some of the spellings tried here. */
function rawPost(
  baseUrl: string,
  path: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  const json = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: hostname, port, method: 'POST', path, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(json);
  });
}

/** Spellings of POST /api/v1/tickets a router may decode, fold or strip; each must be limited or unknown. */
const PURCHASE_PATH_VARIANTS = [
  '/api/v1/tickets',
  '/api/v1/%74ickets',
  '/api/v1/ticket%73',
  '/%61pi/v1/tickets',
  '/api/v1/tickets?via=query',
  '/api/v1/tickets?',
  '/api/v1/tickets;matrix',
  '/api/v1/tickets/',
  '/api/v1/tickets//',
  '//api/v1/tickets',
  '/api//v1/tickets',
  '/api/v1//tickets',
  '/API/V1/TICKETS',
  '/api/v1/Tickets',
  '/api/v1/%54ickets',
  '/api/v1/./tickets',
  '/api/v1/x/../tickets',
];

describe('purchase rate limit, whatever the spelling of the path', () => {
  let api: ApiServer;
  let redis: Redis;
  const eventIds: string[] = [];

  const openEvent = async (): Promise<string> => {
    const eventId = freshEventId('ratelimit');
    eventIds.push(eventId);
    expect((await api.openSale(saleEvent(eventId, 'Venue1'))).status).toBe(201);
    return eventId;
  };

  afterEach(async () => {
    await api.close();
  });
  afterAll(async () => {
    for (const eventId of eventIds) await deleteOutboxRecordsOf(redis, eventId);
    await redis.quit();
  });
  beforeAll(() => {
    redis = new Redis(testConfig().REDIS_URL);
  });

  it('answers every spelling of the purchase path with 429 or 404 once the address has spent its limit', async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' }),
    );
    const eventId = await openEvent();
    let column = 0;
    const seat = () => ({ venueId: 'Venue1', eventId, zoneId: 1, row: 'A', column: ++column });
    for (let i = 0; i < LIMIT; i++) expect((await rawPost(api.baseUrl, '/api/v1/tickets', seat())).status).toBe(201);
    const answers: Record<string, number> = {};
    for (const path of PURCHASE_PATH_VARIANTS) answers[path] = (await rawPost(api.baseUrl, path, seat())).status;
    const bypassing = Object.entries(answers).filter(([, status]) => status !== 429 && status !== 404);
    expect(bypassing).toEqual([]);
    // The plain path and the spellings the router decodes reach the limited route.
    expect(answers['/api/v1/tickets']).toBe(429);
    expect(answers['/api/v1/%74ickets']).toBe(429);
    expect(answers['/api/v1/tickets?via=query']).toBe(429);
  });

  it('counts every spelling the router accepts against the same limit', async () => {
    // Each spelling from an address of its own (TRUST_PROXY: the test's loopback client plays the load balancer).
    api = await ApiServer.start(
      testConfig({
        OUTBOX_RELAY_ENABLED: 'false',
        RATE_LIMIT_MAX: String(LIMIT),
        RATE_LIMIT_WINDOW_MS: '60000',
        TRUST_PROXY: 'loopback',
      }),
    );
    const eventId = await openEvent();
    let column = 0;
    const seat = () => ({ venueId: 'Venue1', eventId, zoneId: 2, row: 'B', column: ++column });
    const routed = ['/api/v1/tickets', '/api/v1/%74ickets', '/api/v1/ticket%73', '/api/v1/tickets?via=query'];
    for (const [index, path] of routed.entries()) {
      const client = { 'x-forwarded-for': `198.51.100.${index + 1}` };
      const statuses: number[] = [];
      for (let i = 0; i <= LIMIT; i++) statuses.push((await rawPost(api.baseUrl, path, seat(), client)).status);
      expect({ path, statuses }).toEqual({ path, statuses: [...Array<number>(LIMIT).fill(201), 429] });
    }
    // Entries a client writes in front of what the proxy appended are not believed.
    const forged: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      const client = { 'x-forwarded-for': `203.0.113.${i + 1}, 198.51.100.99` };
      forged.push((await rawPost(api.baseUrl, '/api/v1/tickets', seat(), client)).status);
    }
    expect(forged).toEqual([...Array<number>(LIMIT).fill(201), 429]);
  });

  it('keys on the connection, not on X-Forwarded-For, unless TRUST_PROXY is set', async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' }),
    );
    const eventId = await openEvent();
    let column = 0;
    const seat = () => ({ venueId: 'Venue1', eventId, zoneId: 2, row: 'C', column: ++column });
    const statuses: number[] = [];
    // A client inventing a new forwarded address for each request gets no new allowance.
    for (let i = 0; i <= LIMIT; i++) {
      const spoofed = { 'x-forwarded-for': `203.0.113.${i + 1}` };
      statuses.push((await rawPost(api.baseUrl, '/api/v1/tickets', seat(), spoofed)).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(201), 429]);
  });
});

import { ApiServer } from '../support/api-server';
import { Redis } from 'ioredis';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';

describe('security of the HTTP surface', () => {
  let api: ApiServer;
  let redis: Redis;
  let eventId: string;

  beforeAll(async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' }),
    );
    redis = new Redis(testConfig().REDIS_URL);
    eventId = freshEventId('security');
    expect((await api.openSale(saleEvent(eventId, 'TinyHall'))).status).toBe(201);
  });
  afterAll(async () => {
    await deleteOutboxRecordsOf(redis, eventId);
    await redis.quit();
    await api.close();
  });

  it('limits purchases per client address with 429 and Retry-After, and leaves reads alone', async () => {
    const statuses: number[] = [];
    for (let column = 1; column <= 3; column++) {
      statuses.push((await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 2, row: 'A', column })).status);
    }
    const limited = await api.purchase({ venueId: 'TinyHall', eventId, zoneId: 1, row: 'A', column: 1 });
    expect(statuses).toEqual([201, 201, 201]);
    expect(limited).toMatchObject({ status: 429, body: { error: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refused purchase changed nothing: its seat is still free for a client within its limit.
    expect(await redis.hget(zoneKeys(eventId, 1).counts, 'zone')).toBe('4');
    for (let i = 0; i < 10; i++) expect((await api.request('GET', `/api/v1/events/${eventId}`)).status).toBe(200);
  });

  it("answers every request with an X-Request-Id, keeping the caller's own", async () => {
    const generated = await api.request('GET', '/api/v1/venues');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    const next = await api.request('GET', '/api/v1/venues');
    expect(next.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));
    const kept = await api.request('GET', '/api/v1/venues', { headers: { 'x-request-id': 'caller-abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('caller-abc-123');
  });

  it('sends secure headers and never leaks internals in errors', async () => {
    const response = await api.request('GET', '/api/v1/venues/Nowhere');
    expect(response.status).toBe(404);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('strict-transport-security')).toContain('max-age');
    expect(response.headers.get('x-powered-by')).toBeNull();
    const malformed = await api.request('POST', '/api/v1/tickets', { raw: '{"venueId":' });
    expect(JSON.stringify(malformed.body)).not.toMatch(/\bat .+\.(js|ts):\d+|node_modules|Error:/);
  });
});

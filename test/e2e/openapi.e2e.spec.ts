import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { createApiApp } from '../../src/api.app';
import { registerOpenApi } from '../../src/openapi/register-openapi';
import { idempotencyKeyHeader, purchaseSeatRequest } from '../../src/purchasing/purchase-seat/purchase-seat.request';
import { getTicketParams } from '../../src/read-model/get-ticket/get-ticket.request';
import {
  listEventTicketsParams,
  listEventTicketsQuery,
} from '../../src/read-model/list-event-tickets/list-event-tickets.request';
import { salesByEventParams } from '../../src/read-model/sales-by-event/sales-by-event.request';
import { zoneSeatMapParams } from '../../src/read-model/zone-seat-map/zone-seat-map.request';
import { eventSchema } from '../../src/catalog/catalog.schema';
import { confirmHoldRequest, holdParams } from '../../src/orders/hold.request';
import { queueStreamQuery } from '../../src/live/queue-stream.http.controller';
import {
  eventParams,
  joinQueueRequest,
  queueStatusParams,
  setWaitingRoomRequest,
} from '../../src/waiting-room/waiting-room.request';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';
import { itIf } from '../support/skip';

type Json = any;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `/api/v1/tickets/:ticketId` → `/api/v1/tickets/{ticketId}`. */
const openApiPath = (fastifyUrl: string) => fastifyUrl.replace(/:(\w+)/g, '{$1}');

/** Resolves a local `$ref` (`#/components/schemas/Ticket`) in the document. */
function resolve(spec: Json, node: Json): Json {
  if (node?.$ref === undefined) return node;
  const target = String(node.$ref)
    .replace(/^#\//, '')
    .split('/')
    .reduce((at: Json, key: string) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return resolve(spec, target);
}

/** Every `$ref` anywhere in the document. */
function refsIn(node: Json, found: string[] = []): string[] {
  if (node === null || typeof node !== 'object') return found;
  if (typeof node.$ref === 'string') found.push(node.$ref);
  for (const value of Object.values(node)) refsIn(value, found);
  return found;
}

/**
 * Where a JSON value breaks a documented schema: the subset of JSON Schema the document uses (types,
 * const, enum, required, properties, additionalProperties: false, items, anyOf), enough to catch a response
 * whose fields drifted from its documentation.
 */
function mismatches(spec: Json, schemaNode: Json, value: unknown, path = '$'): string[] {
  const schema = resolve(spec, schemaNode);
  if (schema.anyOf) {
    const fits = (schema.anyOf as Json[]).some((s) => mismatches(spec, s, value, path).length === 0);
    return fits ? [] : [`${path}: matches none of anyOf`];
  }
  if (schema.const !== undefined && value !== schema.const) return [`${path}: expected ${schema.const}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${String(value)} not in enum`];
  const types = [schema.type ?? []].flat() as string[];
  const typeOf = (v: unknown) =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (types.length > 0 && !types.some((t) => t === typeOf(value) || (t === 'number' && typeOf(value) === 'integer'))) {
    return [`${path}: ${typeOf(value)} is not ${types.join('|')}`];
  }
  if (typeOf(value) === 'array' && schema.items) {
    return (value as unknown[]).flatMap((item, i) => mismatches(spec, schema.items, item, `${path}[${i}]`));
  }
  if (typeOf(value) !== 'object') return [];
  const object = value as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  return [
    ...((schema.required ?? []) as string[]).filter((k) => !(k in object)).map((k) => `${path}.${k}: missing`),
    ...Object.entries(object).flatMap(([k, v]) =>
      k in properties
        ? mismatches(spec, properties[k], v, `${path}.${k}`)
        : schema.additionalProperties === false
          ? [`${path}.${k}: not documented`]
          : [],
    ),
  ];
}

/** The schemas each operation's parameters and body are validated with by its controller. */
const REQUEST_SCHEMAS: { operation: string; path?: z.ZodObject; query?: z.ZodObject; body?: z.ZodObject }[] = [
  { operation: 'post /api/v1/tickets', body: purchaseSeatRequest },
  { operation: 'get /api/v1/tickets/{ticketId}', path: getTicketParams },
  { operation: 'get /api/v1/events/{eventId}/sales', path: salesByEventParams },
  { operation: 'get /api/v1/events/{eventId}/tickets', path: listEventTicketsParams, query: listEventTicketsQuery },
  { operation: 'get /api/v1/events/{eventId}/zones/{zoneId}/seats', path: zoneSeatMapParams },
  { operation: 'post /api/v1/admin/events', body: eventSchema },
  { operation: 'get /api/v1/holds/{holdId}', path: holdParams },
  { operation: 'delete /api/v1/holds/{holdId}', path: holdParams },
  { operation: 'post /api/v1/holds/{holdId}/confirm', path: holdParams, body: confirmHoldRequest },
  { operation: 'post /api/v1/events/{eventId}/queue', path: eventParams, body: joinQueueRequest },
  { operation: 'get /api/v1/events/{eventId}/queue/{queueTicket}', path: queueStatusParams },
  { operation: 'get /api/v1/events/{eventId}/queue/stream', path: eventParams, query: queueStreamQuery },
  { operation: 'put /api/v1/admin/events/{eventId}/waiting-room', path: eventParams, body: setWaitingRoomRequest },
  { operation: 'delete /api/v1/admin/events/{eventId}/waiting-room', path: eventParams },
];

/** How zod itself renders a request schema as JSON Schema (the input side: what a client sends). */
const inputJsonSchema = (schema: z.ZodType) => {
  const rendered = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  delete rendered.$schema;
  return rendered;
};

const chromium = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' })
  .stdout.trim()
  .split('\n')[0];

describe('OpenAPI: GET /docs and /docs/json', () => {
  const mysqlUrl = throwawayMysqlUrl();
  const registered: { method: string; url: string }[] = [];
  let api: ApiServer;
  let spec: Json;
  let redis: Redis;
  let eventId: string;

  const operation = (key: string) => {
    const [method, path] = key.split(' ') as [string, string];
    return spec.paths[path]?.[method];
  };

  /** Asserts a real response is one the document lists for the operation, with a body of the documented shape. */
  const expectDocumented = (key: string, response: { status: number; body: unknown }) => {
    const documented = operation(key)?.responses?.[String(response.status)];
    expect({ key, status: response.status, documented: documented !== undefined }).toEqual({
      key,
      status: response.status,
      documented: true,
    });
    const schema = documented.content?.['application/json']?.schema;
    expect({ key, status: response.status, mismatches: mismatches(spec, schema, response.body) }).toEqual({
      key,
      status: response.status,
      mismatches: [],
    });
  };

  beforeAll(async () => {
    await (await migratedDatabase(mysqlUrl)).close(true);
    const app = await createApiApp(testConfig({ OUTBOX_RELAY_ENABLED: 'false', MYSQL_URL: mysqlUrl }));
    // Every route the application registers, as Fastify sees it (Nest registers its routes at init).
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) registered.push({ method: String(method), url: route.url });
      });
    await app.listen(0, '127.0.0.1');
    api = new ApiServer();
    api.app = app;
    api.baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const response = await api.request('GET', '/docs/json');
    expect(response.status).toBe(200);
    spec = response.body;
    redis = new Redis(testConfig().REDIS_URL);
    eventId = freshEventId('openapi');
  });

  afterAll(async () => {
    await deleteOutboxRecordsOf(redis, eventId);
    await redis.quit();
    await api.close();
    await dropDatabase(mysqlUrl);
  });

  it('serves a well-formed OpenAPI 3.1 document: every $ref resolves, every path parameter is declared', () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    expect(spec.info).toMatchObject({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    for (const ref of refsIn(spec)) expect(() => resolve(spec, { $ref: ref })).not.toThrow();
    const tags = new Set((spec.tags as { name: string }[]).map((t) => t.name));
    const schemes = new Set(Object.keys(spec.components?.securitySchemes ?? {}));
    let operations = 0;
    for (const [path, item] of Object.entries(spec.paths as Record<string, Json>)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        expect(HTTP_METHODS).toContain(method);
        operations++;
        const declared = ((op.parameters ?? []) as Json[]).map((p) => resolve(spec, p));
        const pathParams = declared.filter((p) => p.in === 'path');
        expect({ path, method, params: pathParams.map((p) => p.name).sort() }).toEqual({
          path,
          method,
          params: templated,
        });
        for (const p of pathParams) expect(p.required).toBe(true);
        for (const p of declared) expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          expect(status).toMatch(/^([1-5]\d\d|default)$/);
          expect(typeof resolve(spec, response).description).toBe('string');
        }
        for (const tag of op.tags ?? []) expect(tags).toContain(tag);
        for (const requirement of op.security ?? [])
          for (const name of Object.keys(requirement)) expect(schemes).toContain(name);
      }
    }
    expect(operations).toBeGreaterThanOrEqual(10);
  });

  it('documents exactly the routes the app registers under /api/v1, no more, no fewer', () => {
    const app = registered
      .filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD')
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`);
    const documented = Object.entries(spec.paths as Record<string, Json>)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(app.length).toBeGreaterThanOrEqual(10);
    expect([...new Set(documented)].sort()).toEqual([...new Set(app)].sort());
  });

  it("describes the purchase body with the controller's own zod schema: fields, required list, types, patterns", () => {
    const body = resolve(spec, operation('post /api/v1/tickets').requestBody.content['application/json'].schema);
    // The required list, derived from the zod schema independently of any JSON Schema rendering.
    const required = Object.entries(purchaseSeatRequest.shape)
      .filter(([, field]) => !field.safeParse(undefined).success)
      .map(([name]) => name);
    expect(required).toEqual(['venueId', 'eventId', 'zoneId', 'row', 'column']);
    expect([...body.required].sort()).toEqual([...required].sort());
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(purchaseSeatRequest.shape).sort());
    expect(body.additionalProperties).toBe(false); // a strict object: extra fields are a 400
    expect(body).toEqual(inputJsonSchema(purchaseSeatRequest));
    const header = (operation('post /api/v1/tickets').parameters as Json[]).find((p) => p.in === 'header');
    expect(header).toMatchObject({ name: 'Idempotency-Key', schema: inputJsonSchema(idempotencyKeyHeader) });
    expect(header.required ?? false).toBe(false);
  });

  it('describes every validated request (path, query, body) exactly as its zod schema renders', () => {
    for (const { operation: key, path, query, body } of REQUEST_SCHEMAS) {
      const op = operation(key);
      expect({ key, documented: op !== undefined }).toEqual({ key, documented: true });
      for (const [location, schema] of [
        ['path', path],
        ['query', query],
      ] as const) {
        if (schema === undefined) continue;
        const params = (op.parameters as Json[]).filter((p) => p.in === location);
        expect({ key, location, names: params.map((p) => p.name).sort() }).toEqual({
          key,
          location,
          names: Object.keys(schema.shape).sort(),
        });
        const rendered = inputJsonSchema(schema) as { properties: Record<string, Json>; required?: string[] };
        for (const p of params) {
          expect({ key, name: p.name, schema: p.schema }).toEqual({
            key,
            name: p.name,
            schema: rendered.properties[p.name],
          });
          expect({ key, name: p.name, required: p.required ?? false }).toEqual({
            key,
            name: p.name,
            required: (rendered.required ?? []).includes(p.name),
          });
        }
      }
      if (body !== undefined) {
        expect(resolve(spec, op.requestBody.content['application/json'].schema)).toEqual(inputJsonSchema(body));
      }
    }
  });

  it('lists every status a purchase can answer, errors in the shape of error-body.ts', () => {
    const responses = operation('post /api/v1/tickets').responses;
    expect(Object.keys(responses).sort()).toEqual(['201', '400', '403', '404', '409', '413', '422', '429', '503']);
    for (const status of ['400', '403', '404', '409', '413', '422', '429', '503']) {
      const schema = resolve(spec, responses[status].content['application/json'].schema);
      expect({ status, properties: Object.keys(schema.properties).sort(), required: schema.required }).toEqual({
        status,
        properties: ['error', 'issues', 'message'],
        required: ['error'],
      });
    }
    for (const status of ['429', '503']) expect(Object.keys(responses[status].headers)).toEqual(['retry-after']);
  });

  it('answers real requests with statuses and bodies the document describes', async () => {
    const admin = await api.openSale(saleEvent(eventId, 'TinyHall'));
    expectDocumented('post /api/v1/admin/events', admin);
    expectDocumented('post /api/v1/admin/events', await api.openSale(saleEvent(eventId, 'TinyHall')));
    expectDocumented(
      'post /api/v1/admin/events',
      await api.openSale(saleEvent(eventId, 'TinyHall'), 'wrong-token-0123456789'),
    );
    const seat = { venueId: 'TinyHall', eventId, zoneId: 1, row: 'A', column: 1 };
    const bought = await api.purchase(seat, { 'idempotency-key': `openapi-${eventId}` });
    expect(bought.status).toBe(201);
    expectDocumented('post /api/v1/tickets', bought);
    expectDocumented('post /api/v1/tickets', await api.purchase(seat));
    expectDocumented(
      'post /api/v1/tickets',
      await api.purchase({ ...seat, column: 2 }, { 'idempotency-key': `openapi-${eventId}` }),
    );
    expectDocumented('post /api/v1/tickets', await api.purchase({ ...seat, row: 'a', extra: 1 }));
    expectDocumented('post /api/v1/tickets', await api.purchase({ ...seat, zoneId: 99 }));
    expectDocumented('post /api/v1/tickets', await api.request('POST', '/api/v1/tickets', { raw: 'x'.repeat(5000) }));
    expectDocumented('get /api/v1/venues', await api.request('GET', '/api/v1/venues'));
    expectDocumented('get /api/v1/venues/{venueId}', await api.request('GET', '/api/v1/venues/TinyHall'));
    expectDocumented('get /api/v1/venues/{venueId}', await api.request('GET', '/api/v1/venues/Nowhere'));
    expectDocumented('get /api/v1/events/{eventId}', await api.request('GET', `/api/v1/events/${eventId}`));
    expectDocumented('get /api/v1/ops/outbox', await api.request('GET', '/api/v1/ops/outbox'));
    expectDocumented(
      'get /api/v1/tickets/{ticketId}',
      await api.request('GET', `/api/v1/tickets/${bought.body.ticketId}`),
    );
    expectDocumented('get /api/v1/tickets/{ticketId}', await api.request('GET', '/api/v1/tickets/not%20an%20id'));
    expectDocumented('get /api/v1/events/{eventId}/sales', await api.request('GET', `/api/v1/events/${eventId}/sales`));
    expectDocumented(
      'get /api/v1/events/{eventId}/tickets',
      await api.request('GET', `/api/v1/events/${eventId}/tickets?limit=0`),
    );
    expectDocumented('get /health/live', await api.request('GET', '/health/live'));

    const holdBody = {
      venueId: 'TinyHall',
      eventId,
      buyerId: 'openapi-buyer',
      seats: [{ zoneId: 2, row: 'A', column: 1 }],
    };
    const hold = await api.request('POST', '/api/v1/holds', { body: holdBody });
    expect(hold.status).toBe(201);
    expectDocumented('post /api/v1/holds', hold);
    expectDocumented('post /api/v1/holds', await api.request('POST', '/api/v1/holds', { body: holdBody }));
    expectDocumented(
      'post /api/v1/holds',
      await api.request('POST', '/api/v1/holds', { body: { ...holdBody, seats: [] } }),
    );
    const holdPath = `/api/v1/holds/${hold.body.holdId}`;
    expectDocumented('get /api/v1/holds/{holdId}', await api.request('GET', holdPath));
    const confirm = { body: { paymentReference: 'openapi' } };
    expectDocumented('post /api/v1/holds/{holdId}/confirm', await api.request('POST', `${holdPath}/confirm`, confirm));
    expectDocumented('delete /api/v1/holds/{holdId}', await api.request('DELETE', holdPath));
    expectDocumented('get /api/v1/holds/{holdId}', await api.request('GET', '/api/v1/holds/not-an-id'));
  });

  it('serves the Swagger UI page and its assets from the app, the page under a CSP of its own', async () => {
    const page = await fetch(`${api.baseUrl}/docs`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('id="swagger-ui"');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    // Every script and stylesheet the page loads is served here (no CDN).
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const response = await fetch(new URL(asset, `${api.baseUrl}/docs`));
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    }
    expect(csp).not.toContain('upgrade-insecure-requests'); // the assets must load over plain HTTP too
    // The document keeps the API's headers; the API's own routes get no CSP (SECURITY_HEADERS has none).
    const json = await fetch(`${api.baseUrl}/docs/json`);
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${api.baseUrl}/api/v1/venues`)).headers.get('content-security-policy')).toBeNull();
  });

  itIf(Boolean(chromium), 'no chromium on this machine')(
    'renders every operation in a browser, with no CSP violation or script error',
    async () => {
      const { chromium: launcher } = await import('playwright-core');
      const browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`${api.baseUrl}/docs`);
        const expected = Object.values(spec.paths as Record<string, Json>).reduce(
          (n: number, item) => n + Object.keys(item).length,
          0,
        );
        await page.waitForFunction(
          (n) => (globalThis as any).document.querySelectorAll('.opblock').length === n,
          expected,
          {
            timeout: 30_000,
          },
        );
        expect(await page.locator('.opblock-summary-path').allTextContents()).toContain('/api/v1/tickets');
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );

  it('adds no hook to routes outside /docs: the purchase path runs the same code as without the docs', async () => {
    const hooksOfAPlainRoute = async (withDocs: boolean) => {
      const fastify = new FastifyAdapter({ logger: false }).getInstance();
      if (withDocs) await registerOpenApi(fastify as unknown as Parameters<typeof registerOpenApi>[0]);
      fastify.post('/api/v1/tickets', async () => ({}));
      await fastify.ready();
      const printed = fastify.printRoutes({ commonPrefix: false, includeHooks: true, method: 'POST' });
      await fastify.close();
      return printed;
    };
    const without = await hooksOfAPlainRoute(false);
    const withDocs = await hooksOfAPlainRoute(true);
    expect(without).toContain('/api/v1/tickets (POST)');
    expect(withDocs).toBe(without);
  });
});

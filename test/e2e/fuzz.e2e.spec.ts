import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { eventSchema } from '../../src/catalog/catalog.schema';
import { isAdminAuthorized } from '../../src/platform/http/bearer-token';
import { idempotencyKeyHeader, purchaseSeatRequest } from '../../src/purchasing/purchase-seat/purchase-seat.request';
import { allOutboxKeys, idempotencyFingerprintKey, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { SEAT_MAP, type SeatMap } from '../../src/purchasing/seat-map/seat-map.port';
import { encodeCursor } from '../../src/read-model/list-event-tickets/list-event-tickets.request';
import { TicketProjection } from '../../src/read-model/ticket.projection';
import { ApiServer } from '../support/api-server';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { reservedTicket } from '../support/tickets';
import { freshEventId, saleEvent, TEST_ADMIN_TOKEN, TEST_CATALOG_FILE, testConfig } from '../support/test-config';

/*
 * Property-based fuzzing of every endpoint's body, path, query and headers. Whatever comes in, the answer
 * is one of the statuses the endpoint documents (never a 5xx), an error is the house JSON shape without
 * internals, and a refused request changes nothing. fast-check prints the seed and the shrunk
 * counterexample of a failure; FUZZ_SEED replays a run, FUZZ_RUNS scales the number of cases.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: runs(numRuns),
  ...(process.env.FUZZ_SEED !== undefined && { seed: Number(process.env.FUZZ_SEED) }),
});

/** A real event open for sale (TinyHall: zone 1 is 2 × 2, zone 2 is 1 × 3): refused requests must leave it alone. */
const OPEN_EVENT = freshEventId('fuzz-open');
/** Requests that are valid get pointed here, so they are answered 404 and change nothing either. */
const MISSING_EVENT = freshEventId('fuzz-missing');
const UNKNOWN_VENUE = 'FuzzNoSuchVenue';
const BODY_LIMIT = 4096;

const validSeat = (eventId = OPEN_EVENT): Record<string, unknown> => ({
  venueId: 'TinyHall',
  eventId,
  zoneId: 1,
  row: 'A',
  column: 1,
});

// ---------------------------------------------------------------------------------------------------------
// Requests, and what every answer must look like

interface Outgoing {
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: [string, string][];
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
  contentType: string;
}

let api: ApiServer;

async function send(request: Outgoing): Promise<Answer> {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  // A Buffer body makes fetch add no content type of its own: the header is exactly what the case says.
  const response = await fetch(`${api.baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers ?? [],
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, contentType: response.headers.get('content-type') ?? '' };
}

/** Cases tried and statuses seen, per endpoint: printed at the end for the issue's note. */
const tally = new Map<string, Map<number, number>>();
function count(endpoint: string, status: number): void {
  const statuses = tally.get(endpoint) ?? new Map<number, number>();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  tally.set(endpoint, statuses);
}

/** Internals that must never reach a client: stack frames, file paths, error class names, driver codes. */
const LEAKS = [
  /\bat (?:\S+ )?\(?(?:\/|file:|node:)\S*:\d+(?::\d+)?\)?/,
  /(?:^|[\s"'(=])\/(?:work|home|usr|app|opt|srv|tmp)\/\S+/,
  /\.(?:js|ts|cjs|mjs):\d+/,
  /node_modules/,
  /\b[A-Z][A-Za-z]*(?:Error|Exception)\b/,
  /\bError:/,
  /\bER_[A-Z_]{3,}\b|SQLSTATE|sqlMessage|ECONNREFUSED/,
];

const stringsOf = (value: unknown, into: string[] = []): string[] => {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, into));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      stringsOf(v, into);
    }
  return into;
};

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const describeRequest = (request: Outgoing): string => {
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? request.body : '<bytes>';
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers ?? [])} ${body.slice(0, 300)}`;
};

/**
 * The contract of every answer: an allowed status, never a 5xx; an error is JSON `{error: CODE, ...}`; no
 * internals, unless the client sent that very text itself (error messages may quote the offending input).
 */
function expectAnswer(endpoint: string, request: Outgoing, answer: Answer, allowed: readonly number[]): void {
  count(endpoint, answer.status);
  const context = () => `${describeRequest(request)}\n  -> ${answer.status} ${answer.text.slice(0, 500)}`;
  if (!allowed.includes(answer.status)) throw new Error(`status ${answer.status} not in [${allowed}]: ${context()}`);
  if (answer.status >= 400) {
    const error = (answer.json as { error?: unknown } | undefined)?.error;
    if (
      !answer.contentType.startsWith('application/json') ||
      typeof error !== 'string' ||
      !/^[A-Z][A-Z_]*$/.test(error)
    )
      throw new Error(`error answer is not {error: CODE}: ${context()}`);
  }
  const sent = [
    request.path,
    safeDecode(request.path),
    ...(request.headers ?? []).flat(),
    typeof request.body === 'string' ? request.body : '',
  ];
  if (typeof request.body === 'string') {
    try {
      sent.push(...stringsOf(JSON.parse(request.body)));
    } catch {
      // not JSON: the raw text is enough
    }
  }
  for (const text of stringsOf(answer.json ?? answer.text)) {
    for (const leak of LEAKS) {
      const found = leak.exec(text)?.[0];
      if (found !== undefined && !sent.some((s) => s.includes(found.trim())))
        throw new Error(`internal detail "${found}" in the answer: ${context()}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// State that a refused request must not change

let redis: Redis;
let seatMap: SeatMap;
/** Idempotency keys the fuzz sent that the server would accept: none of them may have been claimed. */
const keysSent = new Set<string>();

async function stateSnapshot() {
  const outbox = allOutboxKeys();
  const lengths = await Promise.all(outbox.map((key) => redis.xlen(key)));
  return {
    outboxBacklog: lengths.reduce((a, b) => a + b, 0),
    outboxOfOpenEvent: (await redis.xrange(outbox[zoneKeys(OPEN_EVENT, 1).partition]!, '-', '+'))
      .concat(await redis.xrange(outbox[zoneKeys(OPEN_EVENT, 2).partition]!, '-', '+'))
      .filter(([, fields]) => fields.join().includes(OPEN_EVENT)).length,
    catalogEvents: await redis.hlen('catalog:events'),
    missingEventStored: await redis.hexists('catalog:events', MISSING_EVENT),
    counters: await Promise.all([1, 2].map((zoneId) => seatMap.counters(OPEN_EVENT, zoneId))),
    bitmaps: await Promise.all(
      [1, 2].map(async (zoneId) => (await redis.getBuffer(zoneKeys(OPEN_EVENT, zoneId).seats))?.toString('hex')),
    ),
    idempotencyKeysClaimed: (
      await Promise.all([...keysSent].map((key) => redis.exists(idempotencyFingerprintKey(key))))
    ).reduce((a, b) => a + b, 0),
  };
}

/** Runs a fuzz property and checks that no request of it changed the seat inventory, outbox or catalog. */
async function withoutStateChange(run: () => Promise<void>): Promise<void> {
  const before = await stateSnapshot();
  await run();
  const after = await stateSnapshot();
  expect(after).toEqual(before);
}

// ---------------------------------------------------------------------------------------------------------
// Generators

const CONTROL = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).concat('\u007f', '\u0085', '\u2028');

/** Hand-picked hostile strings: injections, look-alikes, key syntax, numbers in disguise. */
const NASTY_STRINGS = [
  '',
  ' ',
  'A ',
  ' A',
  'a',
  'AA',
  'Á',
  'Ａ',
  'A\u0000',
  '\u0000',
  '\u202eA',
  'A\u200b',
  '🎫',
  '👨‍👩‍👧‍👦',
  "' OR '1'='1",
  '1; DROP TABLE tickets; --',
  "1' UNION SELECT ticket_id FROM tickets -- ",
  '" OR ""="',
  "%' --",
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '{p1}',
  '}{',
  '*',
  'catalog:events',
  'idem:{p0}:x',
  '\r\nSET x 1\r\n',
  '../../etc/passwd',
  '%00',
  '%s%s%n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '0x1F',
  '1',
  '-1',
  '1.5',
  ' 1',
  '١',
  'TinyHall',
  'Venue1',
  'Event1',
  OPEN_EVENT,
  'x'.repeat(64),
  'x'.repeat(65),
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...CONTROL, 'A', '1', ' '), maxLength: 20 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 65, maxLength: 3000 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);

const nastyNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 31), max: 0 }),
  fc.constantFrom(
    0,
    -0,
    -1,
    2,
    27,
    100_000,
    100_001,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -1e308,
    1.5,
    0.1,
    1e-7,
    1 - 1e-16,
  ),
  fc.double(), // NaN and the infinities travel as null
);

/** Nested arrays and objects, from shallow to a few thousand levels. */
const deepJson = fc
  .record({ depth: fc.integer({ min: 1, max: 3000 }), kind: fc.constantFrom('array', 'object') })
  .map(({ depth, kind }) =>
    kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyNumber,
  nastyString,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 5 }),
  deepJson.filter((raw) => raw.length < 400).map((raw) => JSON.parse(raw) as unknown),
);

const EXTRA_KEYS = ['price', 'ticketId', 'status', '__proto__', 'constructor', 'VenueId', 'zoneid', ' row', 'row '];

/** A valid body with one field changed, removed, or one key added. */
function mutantOf(base: Record<string, unknown>, fieldValues: fc.Arbitrary<unknown> = nastyValue) {
  const fields = Object.keys(base);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...fields), fieldValues).map(([f, v]) => ({ ...base, [f]: v })) },
    fc.constantFrom(...fields).map((f) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== f))),
    fc
      .tuple(fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 20 })), nastyValue)
      .map(([k, v]) => ({ ...base, [k]: v })),
  );
}

/** Numeric tokens JSON allows (or almost allows) that JavaScript reads in surprising ways. */
const RAW_NUMBERS = [
  '1e999',
  '-1e999',
  '1.0',
  '1e0',
  '0.1e1',
  '100000',
  '100001',
  '9007199254740993',
  '123456789012345678901234567890',
  '-0',
  '00',
  '01',
  '0x1',
  '+1',
  '.5',
  '1.',
  'NaN',
  'Infinity',
  'true',
  '"1"',
  '[1]',
  '{"$gt":0}',
  '1 2',
];

/** Raw texts: a valid body with a raw numeric token, duplicate keys, comments, BOMs, truncations. */
const rawSeatJson = (eventId: string) =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('zoneId', 'column'), fc.constantFrom(...RAW_NUMBERS))
      .map(([field, token]) =>
        JSON.stringify({ ...validSeat(eventId), [field]: 0 }).replace(`"${field}":0`, `"${field}":${token}`),
      ),
    fc
      .tuple(fc.constantFrom('zoneId', 'row', 'column', 'eventId'), nastyValue)
      .map(([field, value]) =>
        JSON.stringify(validSeat(eventId)).replace(/}$/, `,"${field}":${JSON.stringify(value)}}`),
      ),
    fc.constantFrom(
      `\uFEFF${JSON.stringify(validSeat(eventId))}`,
      `${JSON.stringify(validSeat(eventId))} trailing`,
      `${JSON.stringify(validSeat(eventId))}${JSON.stringify(validSeat(eventId))}`,
      `/* c */${JSON.stringify(validSeat(eventId))}`,
      JSON.stringify(validSeat(eventId)).replace(/"/g, "'"),
      JSON.stringify(validSeat(eventId)).replace(/}$/, ',}'),
      JSON.stringify(validSeat(eventId)).replace('"venueId"', 'venueId'),
      JSON.stringify([validSeat(eventId)]),
      JSON.stringify({ seat: validSeat(eventId) }),
      JSON.stringify(JSON.stringify(validSeat(eventId))),
    ),
  );

const truncatedJson = fc
  .integer({ min: 0, max: JSON.stringify(validSeat()).length - 1 })
  .map((n) => JSON.stringify(validSeat()).slice(0, n));

const rawText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '\n', 'null', 'true', '0', '-0', '1e999', '"x"', '[]', '{}', '{', '}', '[', '{"a":1}}'),
  fc.constantFrom('venueId=TinyHall&zoneId=1', '<seat venueId="TinyHall"/>', 'undefined', 'NaN', '\u0000'),
  truncatedJson,
  deepJson,
);

/** Header values a client can put on the wire (fetch refuses CR, LF and NUL, and trims blanks). */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x09 : c)),
    maxLength,
  });
const onTheWire = (value: string) => value.replace(/^[\t ]+|[\t ]+$/g, '');

/** The body as the server reads it: JSON, one leading byte order mark ignored (RFC 8259 allows that). */
const validPurchase = (raw: string) => {
  try {
    const parsed = purchaseSeatRequest.safeParse(JSON.parse(raw.replace(/^\uFEFF/, '')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A valid purchase of the open event would take a seat: point it at the missing event instead (in the raw
 * text where possible, so its odd form is kept), so it is answered 404 and the "no state change" check stays
 * exact. Returns the body to send and whether it is valid.
 */
function neutralized(raw: string): { raw: string; valid: boolean } {
  const seat = validPurchase(raw);
  if (seat === undefined) return { raw, valid: false };
  if (seat.eventId !== OPEN_EVENT) return { raw, valid: true };
  const swapped = raw.split(OPEN_EVENT).join(MISSING_EVENT);
  if (validPurchase(swapped)?.eventId === MISSING_EVENT) return { raw: swapped, valid: true };
  return { raw: JSON.stringify({ ...seat, eventId: MISSING_EVENT }), valid: true };
}

const JSON_HEADERS: [string, string][] = [['content-type', 'application/json']];

// ---------------------------------------------------------------------------------------------------------

describe('fuzzing every endpoint (fast-check)', () => {
  const mysqlUrl = throwawayMysqlUrl();
  const readModelTickets = [
    reservedTicket(OPEN_EVENT, { venueId: 'TinyHall', zoneId: 1, row: 'A', column: 1, price: 50 }),
    reservedTicket(OPEN_EVENT, { venueId: 'TinyHall', zoneId: 2, row: 'A', column: 3, price: 25 }),
  ];

  beforeAll(async () => {
    const orm = await migratedDatabase(mysqlUrl);
    await orm.close(true);
    // No relay: the "no state change" check counts the outbox, which nothing else drains here.
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false', MYSQL_URL: mysqlUrl }));
    redis = new Redis(testConfig().REDIS_URL);
    seatMap = api.app.get<SeatMap>(SEAT_MAP);
    expect((await api.openSale(saleEvent(OPEN_EVENT, 'TinyHall'))).status).toBe(201);
    // The read model knows the open event and two of its tickets, so some lookups answer 200.
    const projection = api.app.get(TicketProjection);
    await projection.seedCatalog(loadCatalog(TEST_CATALOG_FILE));
    await projection.upsertEvents([saleEvent(OPEN_EVENT, 'TinyHall')]);
    await projection.applyReserved(readModelTickets);
  });

  afterAll(async () => {
    const lines = [...tally].map(([endpoint, statuses]) => {
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      const seen = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      return `  ${endpoint.padEnd(58)} ${String(total).padStart(5)} cases  ${seen.join(' ')}`;
    });
    console.log(`fuzz: cases tried and statuses seen per endpoint\n${lines.join('\n')}`);
    await deleteOutboxRecordsOf(redis, OPEN_EVENT);
    await redis.quit();
    await api.close();
    await dropDatabase(mysqlUrl);
  });

  describe('POST /api/v1/tickets', () => {
    const ENDPOINT = 'POST /api/v1/tickets';
    const purchase = async (raw: string | Uint8Array, headers: [string, string][] = JSON_HEADERS) => {
      const request: Outgoing = { method: 'POST', path: '/api/v1/tickets', body: raw, headers };
      return { request, answer: await send(request) };
    };

    it('answers arbitrary JSON values with 400, never a 5xx', async () => {
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(fc.jsonValue({ maxDepth: 8 }), async (value) => {
            const { raw, valid } = neutralized(JSON.stringify(value) ?? 'null');
            const { request, answer } = await purchase(raw);
            expectAnswer(
              ENDPOINT,
              request,
              answer,
              valid ? [404] : Buffer.byteLength(raw) > BODY_LIMIT ? [413] : [400],
            );
          }),
          params(150),
        ),
      );
    });

    it('refuses a valid purchase with one field mutated, removed or added (400), and changes nothing', async () => {
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(mutantOf(validSeat()), async (body) => {
            const { raw, valid } = neutralized(JSON.stringify(body));
            const { request, answer } = await purchase(raw);
            const refused = Buffer.byteLength(raw) > BODY_LIMIT ? [413] : [400];
            expectAnswer(ENDPOINT, request, answer, valid ? [404] : refused);
            if (!valid && answer.status === 400) expect(answer.json).toMatchObject({ error: 'VALIDATION_FAILED' });
          }),
          params(400),
        ),
      );
    });

    it('refuses raw bodies: not JSON, truncated, odd numbers, duplicate keys, random bytes', async () => {
      const raws = fc.oneof(
        rawSeatJson(OPEN_EVENT).map((raw) => neutralized(raw)),
        rawText.map((raw) => neutralized(raw)),
        fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ raw: bytes, valid: false })),
      );
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(raws, async ({ raw, valid }) => {
            const { request, answer } = await purchase(raw);
            const big = (typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length) > BODY_LIMIT;
            expectAnswer(ENDPOINT, request, answer, valid ? [404] : big ? [413] : [400]);
          }),
          params(300),
        ),
      );
    });

    it('refuses wrong content types (400 or 415): a well-formed purchase under one buys nothing', async () => {
      const CONTENT_TYPES = [
        undefined,
        '',
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=----fuzz',
        'application/xml',
        'text/html',
        'text/json',
        'application/octet-stream',
        'application/jsonp',
        'application/json-patch+json',
        'application/vnd.api+json',
        'application/ld+json',
        'application/json, text/plain',
        'application/json;charset=utf-16',
        'application/json; charset=latin1',
        'APPLICATION/JSON',
        'Application/Json; Charset=UTF-8',
        'application/json;',
        'application/json ;charset=utf-8',
        'json',
        'application/*',
        '*/*',
      ];
      const seatJson = JSON.stringify(validSeat());
      const bodies = [
        seatJson,
        'venueId=TinyHall&eventId=x&zoneId=1&row=A&column=1',
        `------fuzz\r\nContent-Disposition: form-data; name="seat"\r\n\r\n${seatJson}\r\n------fuzz--\r\n`,
      ];
      const cases = fc.record({
        contentType: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
          headerText(60),
          headerText(20).map((t) => `application/json${t}`),
        ),
        body: fc.constantFrom(...bodies),
      });
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(cases, async ({ contentType, body }) => {
            // A JSON media type (any case, any parameters) is a request the server may read: aim it at no event.
            const essence = onTheWire(contentType ?? '')
              .split(';')[0]!
              .trim()
              .toLowerCase();
            const isJson = essence === 'application/json';
            const raw = isJson ? neutralized(body).raw : body;
            const headers: [string, string][] = contentType === undefined ? [] : [['content-type', contentType]];
            const { request, answer } = await purchase(raw, headers);
            expectAnswer(ENDPOINT, request, answer, isJson ? [400, 404, 415] : [400, 415]);
          }),
          params(250),
        ),
      );
    });

    it('refuses oversized bodies with 413 before reading them', async () => {
      const cases = fc.record({
        size: fc.oneof(fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 64 }), fc.integer({ max: 2_000_000 })),
        shape: fc.constantFrom('padded-seat', 'long-string', 'deep', 'garbage'),
      });
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(cases, async ({ size, shape }) => {
            const n = Math.max(size, BODY_LIMIT + 1);
            const raw =
              shape === 'padded-seat'
                ? JSON.stringify({ ...validSeat(), padding: 'x'.repeat(n) })
                : shape === 'long-string'
                  ? JSON.stringify('é'.repeat(n))
                  : shape === 'deep'
                    ? `${'['.repeat(n)}${']'.repeat(n)}`
                    : 'z'.repeat(n);
            const { request, answer } = await purchase(raw);
            expectAnswer(ENDPOINT, { ...request, body: raw.slice(0, 200) }, answer, [413]);
          }),
          params(40),
        ),
      );
    });

    it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
      await withoutStateChange(async () => {
        const chunk = Buffer.from(JSON.stringify({ ...validSeat(), padding: 'x'.repeat(20_000) }));
        const response = await fetch(`${api.baseUrl}/api/v1/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: new ReadableStream({
            start(controller) {
              controller.enqueue(chunk);
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit);
        const text = await response.text();
        const request: Outgoing = {
          method: 'POST',
          path: '/api/v1/tickets',
          headers: [['transfer-encoding', 'chunked']],
        };
        expectAnswer(
          ENDPOINT,
          request,
          {
            status: response.status,
            text,
            json: JSON.parse(text),
            contentType: response.headers.get('content-type') ?? '',
          },
          [413],
        );
      });
    });

    it('refuses malformed Idempotency-Key headers with 400; a well-formed one claims nothing for a 404', async () => {
      const keys = fc.oneof(
        // (Characters past U+00FF cannot go through fetch: the raw-socket cases below send them as UTF-8.)
        fc.constantFrom('', ' ', 'a'.repeat(128), 'a'.repeat(129), 'key{1}', 'k k', '*', 'clé', 'a\tb', "'; --"),
        headerText(200),
        fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/),
        fc.array(headerText(20), { minLength: 2, maxLength: 3 }),
      );
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(keys, async (key) => {
            const values = typeof key === 'string' ? [key] : key;
            const received = values.map(onTheWire).join(', ');
            const valid = idempotencyKeyHeader.safeParse(received).success;
            if (valid) keysSent.add(received);
            const raw = JSON.stringify(validSeat(valid ? MISSING_EVENT : OPEN_EVENT));
            const headers: [string, string][] = [
              ...JSON_HEADERS,
              ...values.map((v): [string, string] => ['idempotency-key', v]),
            ];
            const { request, answer } = await purchase(raw, headers);
            expectAnswer(ENDPOINT, request, answer, valid ? [404] : [400]);
          }),
          params(200),
        ),
      );
    });
  });

  describe('POST /api/v1/admin/events', () => {
    const ENDPOINT = 'POST /api/v1/admin/events';
    const validEvent = saleEvent(OPEN_EVENT, 'TinyHall');
    const DATES = [
      '2027-02-30T00:00:00Z',
      '2027-13-01T00:00:00Z',
      '2027-01-01',
      '2027-01-01T20:00:00',
      '2027-01-01T20:00:00+25:00',
      '2027-01-01T20:00:00.123456789Z',
      '+275760-09-13T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2027-01-01 20:00:00Z',
      '1e12',
    ];
    const eventFieldValue = fc.oneof(
      nastyValue,
      fc.constantFrom(...DATES),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    const authorization = fc.oneof(
      { weight: 3, arbitrary: fc.constant(`Bearer ${TEST_ADMIN_TOKEN}`) },
      fc.constant(undefined),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        `bearer ${TEST_ADMIN_TOKEN}`,
        `Bearer  ${TEST_ADMIN_TOKEN}`,
        `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`,
        `Bearer ${TEST_ADMIN_TOKEN}x`,
        `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}`,
        TEST_ADMIN_TOKEN,
        "Bearer ' OR '1'='1",
      ),
      headerText(80),
      headerText(80).map((t) => `Bearer ${t}`),
    );
    const bodies = fc.oneof(
      { weight: 4, arbitrary: mutantOf(validEvent, eventFieldValue).map((b) => JSON.stringify(b)) },
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null'),
      rawText,
      fc
        .integer({ min: BODY_LIMIT + 1, max: 50_000 })
        .map((n) => JSON.stringify({ ...validEvent, name: 'n'.repeat(n) })),
    );
    const contentType = fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
    );

    it('answers 400, 401, 404, 409, 413 or 415 with or without the token; creates no event', async () => {
      await withoutStateChange(() =>
        fc.assert(
          fc.asyncProperty(fc.record({ authorization, body: bodies, contentType }), async (c) => {
            const authorized =
              c.authorization !== undefined && isAdminAuthorized(onTheWire(c.authorization), TEST_ADMIN_TOKEN);
            let raw = c.body;
            let parsed: ReturnType<typeof eventSchema.safeParse> | undefined;
            try {
              parsed = eventSchema.safeParse(JSON.parse(raw));
            } catch {
              parsed = undefined;
            }
            const valid = parsed?.success === true && c.contentType === 'application/json';
            // A valid new event at a real venue would be created: send it to a venue that does not exist.
            const reopening = valid && parsed!.data!.eventId === OPEN_EVENT && parsed!.data!.venueId === 'TinyHall';
            if (valid && !reopening) raw = JSON.stringify({ ...parsed!.data, venueId: UNKNOWN_VENUE });
            const headers: [string, string][] = [
              ...(c.contentType === undefined ? [] : [['content-type', c.contentType] as [string, string]]),
              ...(c.authorization === undefined ? [] : [['authorization', c.authorization] as [string, string]]),
            ];
            const request: Outgoing = { method: 'POST', path: '/api/v1/admin/events', body: raw, headers };
            const answer = await send(request);
            const big = Buffer.byteLength(raw) > BODY_LIMIT;
            // Without a JSON content type Fastify may refuse the media type before it measures the body.
            const allowed = big
              ? c.contentType === 'application/json'
                ? [413]
                : [413, 415]
              : valid
                ? [authorized ? (reopening ? 409 : 404) : 401]
                : authorized
                  ? [400, 415]
                  : [400, 401, 415];
            expectAnswer(ENDPOINT, request, answer, allowed);
            if (answer.status === 401) expect(answer.json).toMatchObject({ error: 'UNAUTHORIZED' });
          }),
          params(400),
        ),
      );
    });
  });

  describe('GET endpoints: paths and queries', () => {
    const READS = [200, 400, 404, 413, 415, 422];
    const existingTicket = readModelTickets[0]!.ticketId;

    /** Any text (percent-encoded with enc() when sent). */
    const segment = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constantFrom(...NASTY_STRINGS),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/),
    );

    const routes: { name: string; path: (a: string, b: string) => string }[] = [
      { name: 'GET /api/v1/venues/:venueId', path: (a) => `/api/v1/venues/${a}` },
      { name: 'GET /api/v1/events/:eventId', path: (a) => `/api/v1/events/${a}` },
      { name: 'GET /api/v1/tickets/:ticketId', path: (a) => `/api/v1/tickets/${a}` },
      { name: 'GET /api/v1/events/:eventId/sales', path: (a) => `/api/v1/events/${a}/sales` },
      { name: 'GET /api/v1/events/:eventId/tickets', path: (a) => `/api/v1/events/${a}/tickets` },
      {
        name: 'GET /api/v1/events/:eventId/zones/:zoneId/seats',
        path: (a, b) => `/api/v1/events/${a}/zones/${b}/seats`,
      },
      { name: 'GET /api/v1/ops/dashboard?eventId=', path: (a) => `/api/v1/ops/dashboard?eventId=${a}` },
    ];

    it.each(routes)('$name: arbitrary path segments, percent-encoded', async ({ name, path }) => {
      const zone = fc.oneof(
        segment,
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            '1',
            '2',
            '9',
            '0',
            '-1',
            '01',
            '1.0',
            '1e3',
            '100000',
            '100001',
            '4294967297',
            ' 1',
          ),
        },
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      );
      // Known ids now and then, so lookups that exist (200) are fuzzed too, not only refusals.
      const first = fc.oneof(
        { weight: 4, arbitrary: segment },
        fc.constantFrom('Venue1', 'TinyHall', OPEN_EVENT, existingTicket),
      );
      await fc.assert(
        fc.asyncProperty(first, zone, async (a, b) => {
          const request: Outgoing = { method: 'GET', path: path(enc(a), enc(b)) };
          expectAnswer(name, request, await send(request), READS);
        }),
        params(100),
      );
    });

    it('GET /api/v1/events/:eventId/tickets: arbitrary query strings', async () => {
      const name = 'GET /api/v1/events/:eventId/tickets?query';
      const number = fc.oneof(
        fc.integer().map(String),
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
        fc.double().map(String),
        fc.constantFrom('', '0', '1', '50', '500', '501', '1e2', '1.0', '0x10', ' 5', '+5', '-0', '٥', '999999999'),
      );
      const cursorish = fc.oneof(
        fc.constant(encodeCursor(existingTicket)),
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s).toString('base64url')),
        fc.string({ maxLength: 100 }),
        fc.constantFrom('', '=', '%', 'a'.repeat(89), encodeCursor('a b'), `${encodeCursor(existingTicket)}=`),
      );
      const pair = fc.oneof(
        fc.tuple(fc.constantFrom('zoneId', 'limit'), number),
        fc.tuple(fc.constant('cursor'), cursorish),
        fc.tuple(
          fc.oneof(
            fc.constantFrom('__proto__', 'constructor', 'zoneId[]', 'limit[a]', 'hasOwnProperty', 'ZONEID', ''),
            fc.string({ unit: 'binary', maxLength: 15 }),
          ),
          fc.oneof(
            number,
            nastyString.filter((s) => s.length < 200),
          ),
        ),
      );
      const query = fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .array(pair, { maxLength: 6 })
            .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')),
        },
        // Raw text: stray "%", "&", "=", "+" and brackets, not necessarily well-formed escapes.
        fc.string({ unit: fc.constantFrom(...'%&=+[];,.zoneIdlimtcurs0129AF-_~'.split('')), maxLength: 80 }),
      );
      const eventId = fc.constantFrom(OPEN_EVENT, MISSING_EVENT, 'Event1', 'x');
      await fc.assert(
        fc.asyncProperty(eventId, query, async (event, q) => {
          const request: Outgoing = { method: 'GET', path: `/api/v1/events/${event}/tickets?${q}` };
          expectAnswer(name, request, await send(request), READS);
        }),
        params(300),
      );
    });

    const NASTY_PATHS = [
      '/api/v1/venues/%',
      '/api/v1/venues/%zz',
      '/api/v1/venues/%E0%A4%A',
      '/api/v1/venues/%C0%AF',
      '/api/v1/venues/%ED%A0%80',
      '/api/v1/events/%00',
      '/api/v1/events/%00/sales',
      '/api/v1/events/%FF/sales',
      '/api/v1/tickets/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/v1/tickets/..%2f..%2f',
      '/api/v1/events/a/zones/%2F/seats',
      '/api/v1/events/a/zones/1%00/seats',
      '/api/v1//tickets',
      '/api/v1/events//sales',
      '/api/v1/events/x/zones//seats',
      `/api/v1/tickets/${'a'.repeat(5000)}`,
      `/api/v1/events/${'%F0%9F%8E%AB'.repeat(300)}/sales`,
      '/api/v1/events/;/sales',
      '/api/v1/events/x;y=z/sales',
      '/api/v1/events/x/tickets?limit=1&limit=2',
      '/api/v1/events/x/tickets?%',
      '/api/v1/events/x/tickets?a[b]=c&a[c]=d',
      '/api/v1/events/x/tickets?zoneId=%',
      '/api/v1/events/x/tickets?limit=%E0%A4%A',
      `/api/v1/events/x/tickets?cursor=${'A'.repeat(6000)}`,
      '/api/v1/events/x/zones/1/seats?zoneId=2',
      '/api/v1/tickets/x?__proto__[admin]=1',
      '/api/v1/venues/Venue1/../../admin/events',
      '/api/v1/venues/*',
      '/api/v1/venues/:venueId',
    ];
    it.each(
      NASTY_PATHS.map((path) => [path.length > 90 ? `${path.slice(0, 60)}… (${path.length} chars)` : path, path]),
    )('nasty raw path %s', async (_label, path) => {
      const request: Outgoing = { method: 'GET', path };
      expectAnswer('GET raw nasty paths', request, await send(request), READS);
    });

    // Regression: the router answered these itself, before Nest's filter, as {statusCode, code: "FST_ERR_…",
    // error: "Bad Request"} with a 400, and an over-long parameter with 414 — neither the house shape nor a
    // documented status.
    it.each([
      ['a malformed percent-escape', '/api/v1/venues/%E0%A4%A'],
      ['a lone "%"', '/api/v1/events/%/sales'],
      ['an encoded lone surrogate', '/api/v1/tickets/%ED%A0%80'],
      ['a path parameter of 101 characters', `/api/v1/tickets/${'a'.repeat(101)}`],
      ['a path parameter of 5000 characters', `/api/v1/events/${'a'.repeat(5000)}/zones/1/seats`],
    ])("400 VALIDATION_FAILED for %s, not the router's own answer", async (_label, path) => {
      const request: Outgoing = { method: 'GET', path };
      const answer = await send(request);
      expectAnswer('GET raw nasty paths', request, answer, [400]);
      expect(answer.json).toEqual({
        error: 'VALIDATION_FAILED',
        issues: [{ path: '(url)', message: expect.any(String) }],
      });
    });
  });

  describe('malformed HTTP on a raw socket', () => {
    /** Sends bytes fetch would refuse to send (Connection: close); returns the answer read off the socket. */
    const rawExchange = (head: string, body: Buffer) =>
      new Promise<Answer>((resolve, reject) => {
        const { port } = new URL(api.baseUrl);
        const request = Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), body]);
        const socket = tcpConnect(Number(port), '127.0.0.1', () => socket.end(request));
        const chunks: Buffer[] = [];
        socket.on('data', (data) => chunks.push(data));
        socket.on('error', reject);
        socket.on('close', () => {
          const received = Buffer.concat(chunks).toString('utf8');
          const split = received.indexOf('\r\n\r\n');
          const text = received.slice(split + 4);
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
            text,
            json,
            contentType: /\r\ncontent-type: ([^\r]*)/i.exec(received.slice(0, split))?.[1] ?? '',
          });
        });
        socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(head.slice(0, 80))}`)));
      });

    const openSeat = Buffer.from(JSON.stringify(validSeat()));
    const head = (headers: string) =>
      `POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n${headers}`;

    // Refused by Node's HTTP parser, before Fastify: Fastify's clientError answer (JSON, but not the house shape).
    it.each([
      ['a negative Content-Length', 'Content-Length: -1'],
      ['two different Content-Lengths', `Content-Length: ${openSeat.length}\r\nContent-Length: 3`],
      ['a header with a control character', `Idempotency-Key: a\u0001b\r\nContent-Length: ${openSeat.length}`],
      ['Content-Length and chunked together', `Content-Length: 3\r\nTransfer-Encoding: chunked`],
    ])('400 for %s, and the seat stays free', async (_label, headers) => {
      await withoutStateChange(async () => {
        const answer = await rawExchange(head(headers), openSeat);
        count('POST /api/v1/tickets (malformed HTTP)', answer.status);
        expect(answer.status).toBe(400);
        expect(answer.text).not.toMatch(/\bat \S+ \(|node_modules|\.(js|ts):\d+/);
      });
    });

    it.each([
      ['a Content-Length far over the limit', 'Content-Length: 999999999', 413],
      ['a UTF-8 Idempotency-Key (Cyrillic)', `Idempotency-Key: ключ\r\nContent-Length: ${openSeat.length}`, 400],
      ['a UTF-8 Idempotency-Key (emoji)', `Idempotency-Key: 🎫\r\nContent-Length: ${openSeat.length}`, 400],
      [
        'an Idempotency-Key of 10,000 characters',
        `Idempotency-Key: ${'k'.repeat(10_000)}\r\nContent-Length: ${openSeat.length}`,
        400,
      ],
    ])('%s: %i in the house shape, and the seat stays free', async (_label, headers, status) => {
      await withoutStateChange(async () => {
        const answer = await rawExchange(head(headers), openSeat);
        const request: Outgoing = { method: 'POST', path: '/api/v1/tickets', headers: [['raw', headers]] };
        expectAnswer('POST /api/v1/tickets (raw socket)', request, answer, [status]);
      });
    });
  });
});

/** The character at i if it is half of a well-formed surrogate pair, else U+FFFD. */
function wellFormedAt(text: string, i: number): string {
  const code = text.charCodeAt(i);
  if (code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? text[i]! : '\ufffd';
  }
  const previous = text.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff ? text[i]! : '\ufffd';
}

/** Percent-encodes any text; a lone surrogate (which cannot be encoded) becomes U+FFFD. */
function enc(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, (_c, i: number, all: string) => wellFormedAt(all, i)));
}

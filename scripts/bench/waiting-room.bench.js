// The waiting room under a rush: N simulated buyers join one event's queue over HTTP (bounded concurrency, on
// 127.0.0.1) against an API built in dist/ and a redis-server of the bench's own, then the bench measures
// what they would see: the join rate, the admission rate against the configured one (probe buyers polling
// their place, and the ops figures), Redis memory per waiting buyer, what a refused purchase (no token) costs,
// and purchases by admitted buyers (with their tokens) against the same purchases on an event without a room.
// Stops everything it started.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Redis } = require('ioredis');
const { ROOT, NAMESPACE, buildFirst, deleteNamespace, freePort } = require('./bench-support');
const { readCliOptions } = require('../cli-options');

const flags = readCliOptions({
  usage: 'node scripts/bench/waiting-room.bench.js [options]',
  about:
    'Joins N simulated buyers to one waiting room through the API (dist/, built first) on a redis-server of its own;\n' +
    'prints the join rate, admission accuracy against --rate, memory per waiting buyer, the 403 rate of token-less\n' +
    'purchases, and purchases of admitted buyers against an event without a room.',
  options: {
    buyers: { type: 'number', default: 100_000, help: 'buyers that join the queue' },
    rate: { type: 'number', default: 1000, help: 'admitPerSecond of the room' },
    connections: { type: 'number', default: 100, help: 'HTTP connections (bounded concurrency) for the joins' },
    window: { type: 'number', default: 10, help: 'seconds over which admission is measured after the joins' },
    purchases: {
      type: 'number',
      default: 20_000,
      help: 'purchases by admitted buyers (and as many on an event without a room)',
    },
    'skip-build': { type: 'boolean', help: 'run the dist/ there is, without npm run build' },
  },
  examples: ['node scripts/bench/waiting-room.bench.js --buyers 20000 --rate 500 --window 5'],
});

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = [];

async function startRedis(dir) {
  const port = await freePort();
  const args = ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  started.push(spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', args.map(String), { stdio: 'ignore' }));
  const redis = new Redis(port, '127.0.0.1', { retryStrategy: (n) => (n < 100 ? 50 : null) });
  redis.on('error', () => undefined);
  await redis.ping();
  return { port, redis };
}

async function startApi(redisPort) {
  const port = await freePort();
  const api = spawn(process.execPath, [join(ROOT, 'dist', 'main.api.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      LOG_LEVEL: 'error',
      AMQP_NAMESPACE: NAMESPACE,
      OUTBOX_RELAY_ENABLED: 'false',
      RATE_LIMIT_MAX: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push(api);
  for (let i = 0; i < 300; i++) {
    if (api.exitCode !== null) throw new Error('the API exited during start-up');
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return port;
    await sleep(100);
  }
  throw new Error('the API did not answer');
}

/** autocannon over `amount` requests; `request(n)` gives the n-th request's path, headers and body. */
function load(base, amount, connections, request) {
  let next = 0;
  return new Promise((done, fail) => {
    autocannon(
      {
        url: base,
        connections,
        amount,
        timeout: 10,
        requests: [
          {
            setupRequest: (r) => {
              const n = next++;
              const { method = 'POST', path, headers = {}, body } = request(n);
              return { ...r, method, path, headers: { 'content-type': 'application/json', ...headers }, body };
            },
          },
        ],
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
  });
}

const statuses = (result) =>
  Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
const summary = (result) => ({
  requestsPerSecond: Math.round(result.requests.total / (result.duration || 1)),
  p50ms: result.latency.p50,
  p99ms: result.latency.p99,
  statuses: statuses(result),
  errors: result.errors + result.timeouts,
});

async function call(base, method, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function openSale(base, eventId) {
  const opened = await call(
    base,
    'POST',
    '/api/v1/admin/events',
    { eventId, venueId: 'Venue1', name: eventId, type: 'bench', date: '2027-01-01T00:00:00Z' },
    { authorization: `Bearer ${ADMIN_TOKEN}` },
  );
  if (opened.status !== 201) throw new Error(`could not open ${eventId}: ${opened.status}`);
}

/** Least-squares slope of (t seconds, position): the admission rate the probes saw. */
function slope(points) {
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mp = points.reduce((s, p) => s + p.position, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.position - mp), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return num / den;
}

async function main() {
  const { buyers, rate, connections, window, purchases } = flags;
  if (!flags['skip-build']) buildFirst();
  const dir = mkdtempSync(join(tmpdir(), 'waiting-room-bench-'));
  try {
    const { port: redisPort, redis } = await startRedis(dir);
    const base = `http://127.0.0.1:${await startApi(redisPort)}`;
    const eventId = `wr-${Date.now().toString(36)}`;
    const plainId = `${eventId}-plain`;
    await openSale(base, eventId);
    await openSale(base, plainId);
    const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
    const put = await call(
      base,
      'PUT',
      `/api/v1/admin/events/${eventId}/waiting-room`,
      { admitPerSecond: rate },
      {
        authorization: `Bearer ${ADMIN_TOKEN}`,
      },
    );
    if (put.status !== 200) throw new Error(`could not set the room: ${put.status}`);
    await sleep(1500); // the API's refresh has seen the room

    // 1. The rush: every buyer joins once.
    const joinPath = `/api/v1/events/${eventId}/queue`;
    const joins = await load(base, buyers, connections, (n) => ({
      path: joinPath,
      body: JSON.stringify({ buyerId: `buyer-${n}` }),
    }));
    const joined = Number(await redis.hget(`wroom:{wr:${eventId}}`, 'joined'));

    // 2. Memory per waiting buyer: the buyers hash, every field sampled.
    const buyersBytes = Number(await redis.call('MEMORY', 'USAGE', `wroom:{wr:${eventId}}:buyers`, 'SAMPLES', '0'));
    const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
    const encoding = await redis.object('ENCODING', `wroom:{wr:${eventId}}:buyers`);

    // 3. Admission: probe buyers spread over the next `window` seconds poll their place every 50 ms.
    const { body: ops0 } = await call(base, 'GET', `/api/v1/ops/dashboard`);
    const cursor0 = ops0.waitingRooms.find((r) => r.eventId === eventId).admitted;
    const probes = [];
    for (let i = 1; i <= 20; i++) {
      const position = cursor0 + Math.round((i * rate * window) / 21);
      if (position > joined) break;
      probes.push(position);
    }
    // A buyer's ticket comes from joining again (the same place, a fresh ticket); the buyer holding a position
    // is found in the buyers hash.
    const holderOf = new Map();
    let scan = '0';
    const wanted = new Set(probes.map(String));
    do {
      const [next, fields] = await redis.hscan(`wroom:{wr:${eventId}}:buyers`, scan, 'COUNT', 5000);
      scan = next;
      for (let i = 0; i < fields.length; i += 2)
        if (wanted.has(fields[i + 1])) holderOf.set(Number(fields[i + 1]), fields[i]);
    } while (scan !== '0');
    const tickets = new Map();
    for (const position of probes) {
      const rejoin = await call(base, 'POST', joinPath, { buyerId: holderOf.get(position) });
      if (rejoin.body.position !== position) throw new Error(`re-join moved ${holderOf.get(position)}`);
      tickets.set(position, rejoin.body.queueTicket);
    }
    const t0 = Date.now();
    const admittedAt = [];
    const opsSamples = [];
    const deadline = t0 + (window + 5) * 1000;
    let pending = [...probes];
    while (pending.length > 0 && Date.now() < deadline) {
      const answers = await Promise.all(
        pending.map((p) => call(base, 'GET', `${joinPath}/${tickets.get(p)}`).then((a) => [p, a])),
      );
      const at = (Date.now() - t0) / 1000;
      for (const [p, a] of answers) if (a.body.admitted) admittedAt.push({ position: p, t: at });
      pending = pending.filter((p) => !admittedAt.some((a) => a.position === p));
      if (opsSamples.length === 0 || at - opsSamples[opsSamples.length - 1].t >= 1) {
        const { body } = await call(base, 'GET', `/api/v1/ops/dashboard`);
        opsSamples.push({
          t: (Date.now() - t0) / 1000,
          admitted: body.waitingRooms.find((r) => r.eventId === eventId).admitted,
        });
      }
      await sleep(50);
    }
    const probeRate = admittedAt.length >= 2 ? slope(admittedAt) : null;
    const first = opsSamples[0];
    const last = opsSamples[opsSamples.length - 1];
    const opsRate = last && last.t > first.t ? (last.admitted - first.admitted) / (last.t - first.t) : null;

    // 4. A purchase without a token, refused at the gate (403) before any Redis work.
    // Venue1: 100 zones of 26 rows x 30 seats; request n takes a seat no other request of the run takes.
    const seatBody = (n, event) =>
      JSON.stringify({
        venueId: 'Venue1',
        eventId: event,
        zoneId: 1 + Math.floor(n / 780),
        row: String.fromCharCode(65 + Math.floor((n % 780) / 30)),
        column: 1 + (n % 30),
      });
    const refused = await load(base, 20_000, connections, (n) => ({
      path: '/api/v1/tickets',
      body: seatBody(n, eventId),
    }));

    // 5. Admitted buyers buy with their tokens; the same purchases on an event without a room.
    const tokens = [];
    for (let n = 0; tokens.length < purchases && n < Math.min(joined, purchases * 3); n += 100) {
      const batch = Array.from({ length: Math.min(100, joined - n) }, (_, i) => `buyer-${n + i}`);
      const answers = await Promise.all(
        batch.map(async (buyerId) => {
          const rejoin = await call(base, 'POST', joinPath, { buyerId });
          return call(base, 'GET', `${joinPath}/${rejoin.body.queueTicket}`);
        }),
      );
      for (const a of answers) if (a.body.admitted && tokens.length < purchases) tokens.push(a.body.purchaseToken);
    }
    // The event without a room first: a warm-up favours the run after it, the one with tokens.
    const withoutRoom = await load(base, tokens.length, connections, (n) => ({
      path: '/api/v1/tickets',
      body: seatBody(n, plainId),
    }));
    const withTokens = await load(base, tokens.length, connections, (n) => ({
      path: '/api/v1/tickets',
      headers: { 'x-purchase-token': tokens[n] },
      body: seatBody(n, eventId),
    }));

    const report = {
      buyers,
      joined,
      configuredRate: rate,
      join: summary(joins),
      admission: {
        probes: admittedAt.length,
        probeMeasuredRate: probeRate && Math.round(probeRate * 10) / 10,
        opsMeasuredRate: opsRate && Math.round(opsRate * 10) / 10,
        accuracy: probeRate && Math.round((probeRate / rate) * 1000) / 1000,
      },
      memory: {
        buyersHashBytes: buyersBytes,
        bytesPerBuyer: Math.round((buyersBytes / joined) * 10) / 10,
        usedMemoryDeltaPerBuyer: Math.round(((memoryAfter - memoryBefore) / joined) * 10) / 10,
        encoding,
        extrapolatedFor1MBuyersMiB: Math.round(((buyersBytes / joined) * 1_000_000) / 1_048_576),
      },
      refusedWithoutToken: summary(refused),
      purchasesWithTokens: summary(withTokens),
      purchasesWithoutRoom: summary(withoutRoom),
    };
    console.log(JSON.stringify(report, null, 2));
    redis.disconnect();
  } finally {
    for (const child of started.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await deleteNamespace().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// What a rush of keyed purchases leaves in Redis: drives POST /api/v1/tickets with a fresh Idempotency-Key
// on every request (every seat of Venue1's first zones once, plus duplicates that are refused 409) against an
// API built in --dist and a redis-server of the bench's own (a free loopback port, no persistence), waits for
// the relay to empty the outbox, then prints Redis's used_memory, its key count by kind, and how long the
// idempotency records live. Run it on two builds to compare them. Stops everything it started.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const autocannon = require('autocannon');
const cliProgress = require('cli-progress');
const { Redis } = require('ioredis');
const { ROOT, NAMESPACE, deleteNamespace, freePort } = require('./bench-support');
const { seatConflictBodies } = require('../seat-plan');

const USAGE = `Usage: node scripts/bench/idempotency-memory.bench.js [options]

  --requests N     purchase requests, each with a fresh Idempotency-Key (default 100000)
  --duplicates R   share of the requests that ask for a seat another request asks for (default 0.5);
                   the rest are distinct seats of Venue1, at most 78000
  --connections N  HTTP connections (default 100)
  --settle S       seconds to wait after the run before measuring again, for short-lived records to expire
                   (default 35: IDEMPOTENCY_CLAIM_SECONDS is 30)
  --dist DIR       the API build to run (default dist/ of this checkout): another checkout's dist/ measures
                   that version against the same workload
  --help           this text

Prints Redis's used_memory and key counts after the run (the outbox relayed first), e.g.
  node scripts/bench/idempotency-memory.bench.js --dist ../main/dist`;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        requests: { type: 'string', default: '100000' },
        duplicates: { type: 'string', default: '0.5' },
        connections: { type: 'string', default: '100' },
        settle: { type: 'string', default: '35' },
        dist: { type: 'string', default: join(ROOT, 'dist') },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const requests = Number(parsed.requests);
  const duplicates = Number(parsed.duplicates);
  const connections = Number(parsed.connections);
  const settle = Number(parsed.settle);
  const seats = Math.round(requests * (1 - duplicates));
  const bad = [];
  if (!Number.isInteger(requests) || requests < 1) bad.push('--requests must be a positive integer');
  if (!(duplicates >= 0 && duplicates < 1)) bad.push('--duplicates must be in [0, 1)');
  if (seats > 78_000) bad.push(`--requests × (1 − --duplicates) = ${seats} seats: Venue1 has 78000`);
  if (!Number.isInteger(connections) || connections < 1) bad.push('--connections must be a positive integer');
  if (!(settle >= 0)) bad.push('--settle must be a number of seconds');
  const dist = resolve(parsed.dist);
  if (!existsSync(join(dist, 'main.api.js'))) bad.push(`--dist ${dist} has no main.api.js (npm run build)`);
  if (bad.length > 0) {
    console.error(`${bad.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  return { requests, duplicates, connections, settle, seats, dist };
}

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

async function startApi(dist, redisPort) {
  const port = await freePort();
  const api = spawn(process.execPath, [join(dist, 'main.api.js')], {
    cwd: resolve(dist, '..'),
    env: {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      // The read model is not used here (warnings about its database would only be noise).
      LOG_LEVEL: 'error',
      AMQP_NAMESPACE: NAMESPACE,
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

/** Keys by what they are (the prefix before the first `:`), and the idempotency fingerprints by lifetime. */
async function keyCensus(redis) {
  const kinds = {};
  const fingerprintTtl = { 'over 1 h': 0, 'up to 1 h': 0 };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const ttls = await Promise.all(keys.map((key) => (key.startsWith('idemfp:') ? redis.ttl(key) : -1)));
    keys.forEach((key, i) => {
      const kind = key.split(':')[0];
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      if (kind === 'idemfp') fingerprintTtl[ttls[i] > 3600 ? 'over 1 h' : 'up to 1 h']++;
    });
  } while (cursor !== '0');
  return { kinds, fingerprintTtl };
}

const memoryOf = async (redis) =>
  Object.fromEntries(
    (await redis.info('memory'))
      .split('\r\n')
      .filter((line) => line.startsWith('used_memory:') || line.startsWith('used_memory_dataset:'))
      .map((line) => line.split(':'))
      .map(([name, value]) => [name, Number(value)]),
  );

async function main() {
  const { requests, duplicates, connections, settle, seats, dist } = options();
  const dir = mkdtempSync(join(tmpdir(), 'idempotency-memory-bench-'));
  try {
    const { port: redisPort, redis } = await startRedis(dir);
    const apiPort = await startApi(dist, redisPort);
    const base = `http://127.0.0.1:${apiPort}`;
    const eventId = `idem-mem-${Date.now().toString(36)}`;
    const opened = await fetch(`${base}/api/v1/admin/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ eventId, venueId: 'Venue1', name: 'Idem', type: 'bench', date: '2027-01-01T00:00:00Z' }),
    });
    if (opened.status !== 201) throw new Error(`could not open the sale: ${opened.status}`);
    const before = await memoryOf(redis);

    const bodies = seatConflictBodies({ eventId, seats, ratio: (requests - seats) / seats, seed: 11 });
    const bar = new cliProgress.SingleBar(
      { format: 'purchases {bar} {value}/{total}' },
      cliProgress.Presets.shades_classic,
    );
    bar.start(bodies.length, 0);
    let next = 0;
    const result = await new Promise((done, fail) => {
      const instance = autocannon(
        {
          url: base,
          connections,
          amount: bodies.length,
          timeout: 10,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/tickets',
              setupRequest: (request) => {
                const n = next++;
                return {
                  ...request,
                  headers: { 'content-type': 'application/json', 'idempotency-key': `${eventId}-${n}` },
                  body: bodies[n % bodies.length],
                };
              },
            },
          ],
        },
        (error, outcome) => (error ? fail(error) : done(outcome)),
      );
      instance.on('response', () => bar.increment());
    });
    bar.stop();
    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
    );

    // Outbox entries leave once relayed: what stays afterwards is what a sale leaves behind.
    for (let i = 0; i < 1200; i++) {
      const { backlog } = await (await fetch(`${base}/api/v1/ops/outbox`)).json();
      if (backlog === 0) break;
      await sleep(100);
    }
    // The census first: SCAN deletes the expired keys it meets, so memory and DBSIZE then count live keys only
    // (Redis reclaims expired keys gradually by itself).
    const measure = async () => {
      const census = await keyCensus(redis);
      return { ...(await memoryOf(redis)), keys: await redis.dbsize(), ...census };
    };
    const after = await measure();
    await sleep(settle * 1000);
    const settled = await measure();
    const report = {
      dist,
      requests: bodies.length,
      seats,
      statuses,
      errors: result.errors + result.timeouts,
      usedMemoryBefore: before.used_memory,
      afterRun: after,
      [`after${settle}s`]: settled,
    };
    console.log(JSON.stringify(report, null, 2));
    const mib = (bytes) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
    const line = (m) =>
      `used_memory ${mib(m.used_memory)}, ${m.keys} keys (${m.kinds.idemfp ?? 0} idemfp, ` +
      `${m.fingerprintTtl['over 1 h']} of them kept over 1 h)`;
    console.log(
      `\n${bodies.length} keyed purchases (${seats} seats, ${Math.round(duplicates * 100)} % duplicates), ` +
        `used_memory before ${mib(before.used_memory)}\n  right after: ${line(after)}\n  ${settle} s later: ${line(settled)}`,
    );
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

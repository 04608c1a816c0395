// Load benchmark of POST /api/v1/tickets: starts a real API process (built in dist/), opens a fresh sale of
// Venue1 (78,000 seats), sends every seat once plus a share of duplicates, shuffled, over N keep-alive
// connections with autocannon, and prints throughput, latency percentiles, the status mix and how long the
// outbox took to drain to RabbitMQ. Usage: npm run bench -- [--connections 200] [--dup 0.1] [--seats 78000]
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const autocannon = require('autocannon');

const { ROOT, NAMESPACE, deleteNamespace, freePort } = require('./bench-support');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CONNECTIONS = arg('connections', 200);
const DUP = arg('dup', 0.1);
const SEATS = Math.min(arg('seats', 78_000), 78_000);
const SEED = arg('seed', 7);
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plan(eventId) {
  const seats = [];
  for (let zone = 1; zone <= 100 && seats.length < SEATS; zone++)
    for (let r = 0; r < 26 && seats.length < SEATS; r++)
      for (let c = 1; c <= 30 && seats.length < SEATS; c++)
        seats.push({ venueId: 'Venue1', eventId, zoneId: zone, row: String.fromCharCode(65 + r), column: c });
  const rnd = random(SEED);
  const all = [...seats];
  for (let i = 0; i < Math.round(SEATS * DUP); i++) all.push(seats[Math.floor(rnd() * seats.length)]);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.map((s) => JSON.stringify(s));
}

async function waitForHttp(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error('API exited during start-up');
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function main() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the API under load.
  const nodeArgs = (process.env.API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const api = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'main.api.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      AMQP_NAMESPACE: NAMESPACE,
      RATE_LIMIT_MAX: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitForHttp(`${base}/health`, api);
    const eventId = `bench-${Date.now().toString(36)}`;
    const opened = await fetch(`${base}/api/v1/admin/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ eventId, venueId: 'Venue1', name: 'Bench', type: 'bench', date: '2027-01-01T00:00:00Z' }),
    });
    if (opened.status !== 201) throw new Error(`could not open the sale: ${opened.status}`);

    const bodies = plan(eventId);
    let next = 0;
    console.log(
      `bench: ${bodies.length} purchases (${SEATS} seats, ${Math.round(DUP * 100)}% duplicates), ` +
        `${CONNECTIONS} connections, node ${process.version}, API pid ${api.pid}`,
    );
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      amount: bodies.length,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/tickets',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
        },
      ],
    });
    const statuses = {};
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count;
    const finished = Date.now();
    let backlog = Infinity;
    while (backlog > 0 && Date.now() - finished < 120_000) {
      backlog = (await (await fetch(`${base}/api/v1/ops/outbox`)).json()).backlog;
      if (backlog > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const lines = [
      `requests/s: mean ${Math.round(result.requests.average)}, total ${result.requests.total} in ${result.duration.toFixed(1)} s`,
      `latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`,
      `statuses: ${JSON.stringify(statuses)}, errors ${result.errors}, timeouts ${result.timeouts}`,
      `201s ${statuses['201'] ?? 0} for ${SEATS} distinct seats; 409s ${statuses['409'] ?? 0} for ${bodies.length - SEATS} duplicates`,
      `outbox drained to RabbitMQ ${backlog === 0 ? `${Date.now() - finished} ms after the last response` : 'NOT within 120 s'}`,
    ];
    console.log(lines.map((l) => `  ${l}`).join('\n'));
    if ((statuses['201'] ?? 0) !== SEATS) process.exitCode = 1;
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await deleteNamespace();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

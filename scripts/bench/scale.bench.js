// Scale-out benchmark of POST /api/v1/tickets: reservations per second with one Redis vs a 3-master Redis
// Cluster, and with one vs two API processes. Every configuration gets Redis processes of its own
// (redis-server on free loopback ports, no persistence, in a temporary directory), its API process(es)
// built in dist/, a fresh sale of Venue1 and the same shuffled plan (every seat once plus duplicates),
// sent by autocannon over keep-alive connections split evenly across the APIs. It also samples the CPU
// each part used, to tell what saturates first. Stops everything it started, by itself.
// Usage: npm run bench:scale -- --help
const { spawn, execFile } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { promisify } = require('node:util');
const autocannon = require('autocannon');

const { ROOT, NAMESPACE, buildFirst, deleteNamespace, freePort } = require('./bench-support');
const { cpuSeconds: processCpuSeconds } = require('./cpu-usage');
const { seatConflictBodies } = require('../seat-plan');
const { readCliOptions } = require('../cli-options');

const options = readCliOptions({
  usage: 'npm run bench:scale -- [options]',
  about:
    'Reservations/s with one Redis vs a 3-master Redis Cluster, and one vs two API processes (starts its own\n' +
    'redis-servers on free ports).',
  options: {
    seats: { type: 'number', default: 39_000, help: 'distinct seats per run (at most 78,000)' },
    dup: { type: 'number', default: 0.1, help: 'duplicate ratio' },
    connections: { type: 'number', default: 200, help: 'concurrent connections' },
    only: { type: 'string', default: 'single-1,cluster-1,single-2,cluster-2', help: 'which runs, comma-separated' },
  },
  examples: ['npm run bench:scale -- --only single-1,cluster-1 --seats 10000'],
});
const SEATS = Math.min(options.seats, 78_000);
const DUP = options.dup;
const CONNECTIONS = options.connections;
const ONLY = options.only.split(',');
buildFirst();
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const started = []; // every child process, killed at the end whatever happens

/** CPU seconds a process has used so far (user + system); 0 once it is gone. */
const cpuSeconds = (pid) => processCpuSeconds(pid) ?? 0;

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = values[3] + values[4];
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

async function startRedis(dir, clusterEnabled) {
  const port = await freePort();
  const busPort = await freePort();
  const options = ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  options.push('--dbfilename', `dump-${port}.rdb`, '--loglevel', 'warning');
  if (clusterEnabled) {
    options.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`));
    options.push('--cluster-port', busPort);
  }
  const child = spawn(REDIS_SERVER, options.map(String), { stdio: 'ignore' });
  started.push(child);
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run(REDIS_CLI, ['-p', String(port), 'ping']).catch(() => ({ stdout: '' }));
    if (stdout.trim() === 'PONG') return { port, pid: child.pid };
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

/** One Redis, or three masters joined by `redis-cli --cluster create`; returns the API's Redis settings. */
async function startRedisLayout(kind) {
  const dir = mkdtempSync(join(tmpdir(), `scale-bench-${kind}-`));
  if (kind === 'single') {
    const node = await startRedis(dir, false);
    return { dir, pids: [node.pid], env: { REDIS_URL: `redis://127.0.0.1:${node.port}` } };
  }
  const nodes = [];
  for (let i = 0; i < 3; i++) nodes.push(await startRedis(dir, true));
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-yes']);
  for (let i = 0; i < 100; i++) {
    const infos = await Promise.all(nodes.map((n) => run(REDIS_CLI, ['-p', String(n.port), 'cluster', 'info'])));
    if (infos.every(({ stdout }) => stdout.includes('cluster_state:ok'))) break;
    await sleep(100);
  }
  return { dir, pids: nodes.map((n) => n.pid), env: { REDIS_CLUSTER_NODES: addresses.join(',') } };
}

async function waitForHttp(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('API exited during start-up');
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

async function startApi(redisEnv) {
  const port = await freePort();
  const api = spawn(process.execPath, [join(ROOT, 'dist', 'main.api.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...redisEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      AMQP_NAMESPACE: NAMESPACE,
      RATE_LIMIT_MAX: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push(api);
  await waitForHttp(`http://127.0.0.1:${port}/health`, api);
  return { port, child: api };
}

async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** One configuration: Redis layout × API processes. */
async function measure(kind, apiCount) {
  const layout = await startRedisLayout(kind);
  const apis = [];
  try {
    for (let i = 0; i < apiCount; i++) apis.push(await startApi(layout.env));
    const eventId = `scale-${kind}-${apiCount}-${Date.now().toString(36)}`;
    const opened = await fetch(`http://127.0.0.1:${apis[0].port}/api/v1/admin/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ eventId, venueId: 'Venue1', name: 'Scale', type: 'bench', date: '2027-01-01T00:00:00Z' }),
    });
    if (opened.status !== 201) throw new Error(`could not open the sale: ${opened.status}`);
    const bodies = seatConflictBodies({ eventId, seats: SEATS, ratio: DUP, seed: 7 });
    // Request i goes to API i mod n: both get the same mix of first purchases and duplicates.
    const shares = apis.map((_, a) => bodies.filter((_, i) => i % apis.length === a));

    const pids = { api: apis.map((a) => a.child.pid), redis: layout.pids };
    const cpuBefore = { api: pids.api.map(cpuSeconds), redis: pids.redis.map(cpuSeconds), self: process.cpuUsage() };
    const machineBefore = machineTicks();
    const startedAt = performance.now();
    const results = await Promise.all(
      apis.map((api, a) => {
        let next = 0;
        return autocannon({
          url: `http://127.0.0.1:${api.port}`,
          connections: Math.max(1, Math.round(CONNECTIONS / apis.length)),
          amount: shares[a].length,
          timeout: 10,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/tickets',
              headers: { 'content-type': 'application/json' },
              setupRequest: (request) => ({ ...request, body: shares[a][next++ % shares[a].length] }),
            },
          ],
        });
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const machineAfter = machineTicks();
    const self = process.cpuUsage(cpuBefore.self);
    const cpu = {
      api: pids.api.map((pid, i) => (cpuSeconds(pid) - cpuBefore.api[i]) / seconds),
      redis: pids.redis.map((pid, i) => (cpuSeconds(pid) - cpuBefore.redis[i]) / seconds),
      loadGenerator: (self.user + self.system) / 1e6 / seconds,
      machine: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    };

    const statuses = {};
    for (const result of results) {
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
        statuses[code] = (statuses[code] ?? 0) + count;
    }
    // The relay of the run drains before the processes stop, so the next run starts on a quiet broker.
    for (let i = 0; i < 600; i++) {
      const { backlog } = await (await fetch(`http://127.0.0.1:${apis[0].port}/api/v1/ops/outbox`)).json();
      if (backlog === 0) break;
      await sleep(100);
    }
    return {
      name: `${kind === 'single' ? '1 Redis' : '3-shard cluster'}, ${apiCount} API process${apiCount > 1 ? 'es' : ''}`,
      reservationsPerSecond: (statuses['201'] ?? 0) / seconds,
      requestsPerSecond: bodies.length / seconds,
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      statuses,
      errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      cpu,
      ok: (statuses['201'] ?? 0) === SEATS,
    };
  } finally {
    for (const api of apis) await stopProcess(api.child);
    for (const child of started.filter((c) => layout.pids.includes(c.pid))) await stopProcess(child);
    rmSync(layout.dir, { recursive: true, force: true });
  }
}

const pct = (x) => `${Math.round(x * 100)}%`;
/** Reservations per second of API CPU: what one core of API buys, steadier than the rate on a shared machine. */
const perApiCore = (row) => row.reservationsPerSecond / row.cpu.api.reduce((a, b) => a + b, 0);

/** Runs the configurations asked for and prints one line each, then a Markdown table; returns the rows. */
async function runScaleBench() {
  const configurations = [
    ['single', 1],
    ['cluster', 1],
    ['single', 2],
    ['cluster', 2],
  ].filter(([kind, n]) => ONLY.includes(`${kind}-${n}`));
  console.log(
    `scale bench: ${SEATS} seats + ${Math.round(DUP * 100)}% duplicates per run, ${CONNECTIONS} connections, ` +
      `node ${process.version}, ${require('node:os').cpus().length} cores (shared with everything else on the machine)`,
  );
  const rows = [];
  try {
    for (const [kind, apiCount] of configurations) {
      const row = await measure(kind, apiCount);
      rows.push(row);
      console.log(
        `  ${row.name}: ${Math.round(row.reservationsPerSecond)} reservations/s, ` +
          `${Math.round(perApiCore(row))} per API CPU-second ` +
          `(${Math.round(row.requestsPerSecond)} requests/s, p50 ${row.p50} ms, p99 ${row.p99} ms), ` +
          `statuses ${JSON.stringify(row.statuses)}, errors ${row.errors}; CPU: API ${row.cpu.api.map(pct).join(' + ')}, ` +
          `Redis ${row.cpu.redis.map(pct).join(' + ')}, load generator ${pct(row.cpu.loadGenerator)}, ` +
          `machine busy ${pct(row.cpu.machine)}`,
      );
    }
  } finally {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await deleteNamespace().catch(() => undefined);
  }
  console.log(
    '\n| configuration | reservations/s | per API CPU-second | requests/s | p50 | p99 | CPU: API / Redis / load generator / machine |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const api = r.cpu.api.map(pct).join(' + ');
    const redis = r.cpu.redis.map(pct).join(' + ');
    console.log(
      `| ${r.name} | ${Math.round(r.reservationsPerSecond)} | ${Math.round(perApiCore(r))} | ` +
        `${Math.round(r.requestsPerSecond)} | ${r.p50} ms | ` +
        `${r.p99} ms | ${api} / ${redis} / ${pct(r.cpu.loadGenerator)} / ${pct(r.cpu.machine)} |`,
    );
  }
  return rows;
}

module.exports = { runScaleBench };

if (require.main === module) {
  runScaleBench().then(
    (rows) => {
      // Every distinct seat sold exactly once in every configuration, or the figures mean nothing.
      if (rows.some((r) => !r.ok)) process.exitCode = 1;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

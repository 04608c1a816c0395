// The platform as production runs it, for the benches: its own redis-server (so a running stack or a test
// run never relays the bench's outbox), its own dynalite process, a bench database in MySQL, the worker and
// the API, all from dist/ with their default settings (rate limiting off, as in every load test). Every
// process is stopped, and the database and broker namespace removed, by stop().
const { spawn, spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { setPriority } = require('node:os');
const { join } = require('node:path');
const { ROOT, NAMESPACE, deleteNamespace, freePort } = require('./bench-support');
const { withDescendants } = require('./cpu-usage');

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

const answers = (url) => fetch(url).then((r) => r.ok);

/**
 * Peak resident set size (VmHWM) in MiB of a live process and its descendants (summed: the API's cluster
 * processes), from /proc; undefined where there is no /proc.
 */
function peakRssMiB(pid) {
  let kb = 0;
  for (const p of withDescendants(pid)) {
    try {
      kb += Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone, or no /proc
    }
  }
  return kb === 0 ? undefined : Math.round(kb / 1024);
}

// API_NODE_ARGS / WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profile a process under load.
// BENCH_CHILD_STDOUT=1 passes the children's stdout through (e.g. API_NODE_ARGS=--trace-gc); it is dropped
// otherwise, since the processes log JSON lines the bench does not read.
const CHILD_STDOUT = process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore';
const nodeArgs = (name) => (process.env[name] ?? '').split(' ').filter(Boolean);
const API_NODE_ARGS = nodeArgs('API_NODE_ARGS');

function idlePriority(pid) {
  const run = spawnSync('chrt', ['--all-tasks', '--idle', '--pid', '0', String(pid)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`chrt --idle ${pid} failed: ${run.error?.message ?? run.stderr}`);
}

/**
 * `workerNice` > 0 lowers the worker's (and dynalite's) scheduling priority: on one machine it lets the API
 * have the cores during the rush while the pipelines catch up in the gaps, as separate machines would.
 * `workerIdle` goes further: SCHED_IDLE (`chrt --idle`, every thread), so the worker and dynalite run only on
 * a core nothing else wants and yield it the moment the API, Redis or the load generator wakes up; a niced
 * process still takes a share of a busy core and delays the wake-ups of the closed loop.
 */
async function startStack({
  apiNodeArgs = API_NODE_ARGS,
  env: extraEnv = {},
  workerNice = 0,
  workerIdle = false,
} = {}) {
  const [apiPort, workerPort, dynamoPort, redisPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const redisDir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const database = `tickets_bench_${Date.now().toString(36)}`;
  const mysqlServer = process.env.BENCH_MYSQL_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';
  const redisUrl = process.env.BENCH_REDIS_URL ?? `redis://127.0.0.1:${redisPort}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    WORKER_PORT: String(workerPort),
    ADMIN_TOKEN,
    AMQP_NAMESPACE: NAMESPACE,
    RATE_LIMIT_MAX: '0',
    REDIS_URL: `${redisUrl}/0`,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
    MYSQL_URL: `${mysqlServer}/${database}`,
    ...extraEnv,
  };
  const children = [];
  const start = (command, args, nodeArgs = []) => {
    const child = spawn(command === 'node' ? process.execPath : command, [...nodeArgs, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', CHILD_STDOUT, 'inherit'],
    });
    children.push(child);
    return child;
  };
  const stack = {
    env,
    apiPort,
    workerPort,
    /** A second logical database on the bench's Redis, for the ceiling server. */
    ceilingRedisUrl: `${redisUrl}/1`,
    base: `http://127.0.0.1:${apiPort}`,
    api: undefined,
    worker: undefined,
    async openSale(eventId, venueId = 'Venue1') {
      const response = await fetch(`${stack.base}/api/v1/admin/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ eventId, venueId, name: 'Bench', type: 'bench', date: '2027-01-01T00:00:00Z' }),
      });
      if (response.status !== 201) throw new Error(`could not open the sale ${eventId}: ${response.status}`);
    },
    /** Tickets each pipeline has handled since the worker started. */
    async pipelinesHandled() {
      const figures = await (await fetch(`http://127.0.0.1:${workerPort}/api/v1/ops/pipelines`)).json();
      return Object.fromEntries(figures.map((p) => [p.queue, p.handled]));
    },
    async outboxBacklog() {
      return (await (await fetch(`${stack.base}/api/v1/ops/outbox`)).json()).backlog;
    },
    /** The `verify` command on the event: true when Redis, DynamoDB and MySQL agree. */
    verify(eventId) {
      const run = spawnSync(
        process.execPath,
        [join(ROOT, 'dist', 'consistency', 'verify.main.js'), '--event', eventId],
        {
          env,
          encoding: 'utf8',
        },
      );
      return { agree: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
    },
    /** The stack's processes by role, for CPU accounting. */
    pids() {
      const byRole = { api: stack.api.pid, worker: stack.worker.pid };
      for (const child of children) {
        const file = child.spawnargs.find((a) => a.endsWith('dynalite.main.js'));
        if (file !== undefined) byRole.dynalite = child.pid;
        if (child.spawnfile === 'redis-server') byRole.redis = child.pid;
      }
      return byRole;
    },
    peakRss() {
      return { api: peakRssMiB(stack.api.pid), worker: peakRssMiB(stack.worker.pid) };
    },
    async stop() {
      // The API and the worker first: they finish their work against the stores that are still up.
      const stopAll = (list) =>
        Promise.all(
          list
            .filter((c) => c !== undefined && c.exitCode === null && c.signalCode === null)
            .map((c) => new Promise((r) => c.once('exit', r).kill('SIGTERM'))),
        );
      await stopAll([stack.api, stack.worker]);
      await stopAll(children);
      await deleteNamespace();
      spawnSync(process.execPath, ['-e', dropDatabaseScript(mysqlServer, database)], { cwd: ROOT, stdio: 'inherit' });
      rmSync(redisDir, { recursive: true, force: true });
    },
  };
  try {
    if (process.env.BENCH_REDIS_URL === undefined) {
      start('redis-server', [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        redisDir,
      ]);
    }
    start('node', [join(ROOT, 'dist', 'write-store', 'dynalite.main.js'), '--port', String(dynamoPort)]);
    // The migrate step creates the write store's tables there: it needs dynalite listening (any answer will do).
    await waitFor('dynalite', () => fetch(`http://127.0.0.1:${dynamoPort}`).then(() => true));
    const migrate = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.migrate.js')], {
      env,
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    stack.worker = start('node', [join(ROOT, 'dist', 'main.worker.js')], nodeArgs('WORKER_NODE_ARGS'));
    stack.api = start('node', [join(ROOT, 'dist', 'main.api.js')], apiNodeArgs);
    if (workerNice > 0) for (const role of ['worker', 'dynalite']) setPriority(stack.pids()[role], workerNice);
    await waitFor('the worker', () => answers(`http://127.0.0.1:${workerPort}/health`));
    await waitFor('the API', () => answers(`${stack.base}/health`));
    // Once they are up, so that every thread they started (libuv's pool, V8's GC helpers) is covered.
    if (workerIdle) for (const role of ['worker', 'dynalite']) idlePriority(stack.pids()[role]);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Starts the ceiling server on the bench's Redis; resolves once it listens. */
async function startCeiling(stack) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(__dirname, 'ceiling-server.js'), '--port', String(port), '--redis', stack.ceilingRedisUrl],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`ceiling server exited with ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => new Promise((r) => child.once('exit', r).kill('SIGTERM')),
  };
}

function dropDatabaseScript(server, database) {
  return `
    const { managementOrm } = require('./dist/read-model/mikro-orm.config');
    managementOrm(${JSON.stringify(`${server}/${database}`)})
      .then(async (orm) => { await orm.em.getConnection().execute('drop database if exists \`${database}\`'); await orm.close(true); })
      .catch((e) => console.error('could not drop the bench database:', e.message));`;
}

module.exports = { startStack, startCeiling, sleep };

// Pipeline benchmark: how fast the worker drains each pipeline, and how long after the last 201 of a
// purchase run both stores agree (the `verify` command passes). Starts its own dynalite process, a bench
// database, the API and the worker (all from dist/). Two phases over fresh events of Venue1:
//   1. live: the worker runs during a burst of N purchases; time from the last 201 until verify agrees;
//   2. backlog: N purchases queue up with the worker stopped, then it starts; items/s per pipeline.
// Usage: npm run bench:pipeline -- --help
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { SingleBar } = require('cli-progress');

const { ROOT, NAMESPACE, buildFirst, deleteNamespace, freePort } = require('./bench-support');
const { readCliOptions } = require('../cli-options');

const options = readCliOptions({
  usage: 'npm run bench:pipeline -- [options]',
  about:
    'How fast the worker drains each pipeline, and how long after the last 201 the stores agree: a live burst\n' +
    'with the worker running, then a backlog drained by a worker started afterwards (its own dynalite).',
  options: {
    purchases: { type: 'number', default: 20_000, help: 'purchases per phase (at most 78,000)' },
    connections: { type: 'number', default: 200, help: 'concurrent connections' },
  },
  examples: ['npm run bench:pipeline -- --purchases 5000 --connections 100'],
});
const PURCHASES = Math.min(options.purchases, 78_000);
const CONNECTIONS = options.connections;
buildFirst();
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A bar on stderr while a phase runs (drawn on a terminal only, so a piped report stays as it was). */
const bar = (label, total) => {
  const b = new SingleBar({ format: `  ${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true });
  b.start(total, 0);
  return b;
};

async function main() {
  const [apiPort, workerPort, dynamoPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    WORKER_PORT: String(workerPort),
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    AMQP_NAMESPACE: NAMESPACE,
    RATE_LIMIT_MAX: '0',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
    DYNAMODB_TABLE_PREFIX: `bench${Date.now().toString(36)}`,
    MYSQL_URL: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/tickets_bench',
  };
  const processes = [];
  const start = (file, extra = []) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', file), ...extra], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    processes.push(child);
    return child;
  };
  const waitHttp = async (port) => {
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await sleep(100);
    }
    throw new Error(`port ${port} did not answer`);
  };
  try {
    start('write-store/dynalite.main.js', ['--port', String(dynamoPort)]);
    // The migrate step creates the write store's tables there: it needs dynalite listening (any answer will do).
    for (
      let i = 0;
      !(await fetch(`http://127.0.0.1:${dynamoPort}`).then(
        () => true,
        () => false,
      ));
      i++
    ) {
      if (i === 300) throw new Error(`dynalite did not answer on port ${dynamoPort}`);
      await sleep(100);
    }
    const migrate = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.migrate.js')], {
      env,
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    let worker = start('main.worker.js');
    start('main.api.js');
    await Promise.all([waitHttp(apiPort), waitHttp(workerPort)]);
    console.log(
      `pipeline bench: ${PURCHASES} purchases per phase, ${CONNECTIONS} connections, dynalite as its own process`,
    );

    const figures = async () => (await fetch(`http://127.0.0.1:${workerPort}/api/v1/ops/pipelines`)).json();
    const verify = (eventId) =>
      spawnSync(process.execPath, [join(ROOT, 'dist', 'consistency', 'verify.main.js'), '--event', eventId], {
        env,
        encoding: 'utf8',
      });

    async function purchases(eventId) {
      const opened = await fetch(`http://127.0.0.1:${apiPort}/api/v1/admin/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({
          eventId,
          venueId: 'Venue1',
          name: 'Bench',
          type: 'bench',
          date: '2027-01-01T00:00:00Z',
        }),
      });
      if (opened.status !== 201) throw new Error(`open sale ${opened.status}`);
      const bodies = [];
      for (let i = 0; i < PURCHASES; i++) {
        const zone = Math.floor(i / 780) + 1;
        const inZone = i % 780;
        bodies.push(
          JSON.stringify({
            venueId: 'Venue1',
            eventId,
            zoneId: zone,
            row: String.fromCharCode(65 + Math.floor(inZone / 30)),
            column: (inZone % 30) + 1,
          }),
        );
      }
      let next = 0;
      const sent = bar(`${eventId} purchases`, PURCHASES);
      const run = autocannon({
        url: `http://127.0.0.1:${apiPort}`,
        connections: CONNECTIONS,
        amount: PURCHASES,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/tickets',
            headers: { 'content-type': 'application/json' },
            setupRequest: (r) => ({ ...r, body: bodies[next++] }),
          },
        ],
      });
      run.on('response', () => sent.increment());
      const result = await Promise.resolve(run).finally(() => sent.stop());
      const created = result.statusCodeStats?.['201']?.count ?? 0;
      if (created !== PURCHASES)
        throw new Error(`expected ${PURCHASES} 201s, got ${JSON.stringify(result.statusCodeStats)}`);
      return result;
    }

    // Phase 1: live.
    const live = `bench-live-${Date.now().toString(36)}`;
    const burst = await purchases(live);
    const lastResponse = Date.now();
    let agreed;
    // The pipelines' handled counts while verify disagrees: the slower one is how far the stores are.
    const draining = bar('tickets in both stores', PURCHASES);
    try {
      for (;;) {
        if (verify(live).status === 0) {
          agreed = Date.now() - lastResponse;
          break;
        }
        if (Date.now() - lastResponse > 600_000) throw new Error('stores did not agree within 10 minutes');
        draining.update(Math.min(PURCHASES, ...(await figures()).map((p) => p.handled)));
        await sleep(250);
      }
    } finally {
      draining.stop();
    }
    console.log(
      `  live: ${Math.round(burst.requests.average)} purchases/s; both stores agree (verify exit 0) ${agreed} ms after the last 201`,
    );

    // Phase 2: backlog drained by a fresh worker.
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    const backlog = `bench-backlog-${Date.now().toString(36)}`;
    await purchases(backlog);
    await sleep(1000); // the outbox relays everything into the queues
    worker = start('main.worker.js');
    await waitHttp(workerPort);
    const started = Date.now();
    const done = {};
    const backlogBar = bar('backlog drained by both pipelines', PURCHASES);
    while (Object.keys(done).length < 2 && Date.now() - started < 600_000) {
      const pipelines = await figures();
      for (const p of pipelines)
        if (p.handled >= PURCHASES && done[p.queue] === undefined) done[p.queue] = Date.now() - started;
      backlogBar.update(Math.min(PURCHASES, ...pipelines.map((p) => p.handled)));
      await sleep(100);
    }
    backlogBar.stop();
    for (const [queue, ms] of Object.entries(done)) {
      console.log(
        `  backlog: ${queue} drained ${PURCHASES} tickets in ${ms} ms = ${Math.round(PURCHASES / (ms / 1000))} tickets/s`,
      );
    }
    const final = verify(backlog);
    console.log(`  backlog: verify exit ${final.status}; ${final.stdout.trim().split('\n').pop()}`);
  } finally {
    await Promise.all(
      processes.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r).kill('SIGTERM'))),
    );
    await deleteNamespace();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

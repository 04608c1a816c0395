// `npm run bench`: the seat-conflict ladder from Node. Starts the platform as production runs it (see
// bench-stack.js) and a ceiling server (ceiling-server.js: bare node:http + one EVALSHA of the same script),
// then for each duplicate ratio loads both with the same shuffled plan over Venue1's 78,000 seats and
// prints the table JMeter users know, the API/ceiling throughput ratio, how long after the last response
// each store caught up, and peak RSS. Results go to bench/results/<date>.json and .html (chart).
// Usage: npm run bench -- --help
const { join } = require('node:path');
const autocannon = require('autocannon');
const cliProgress = require('cli-progress');
const { Redis } = require('ioredis');
const { ROOT, buildFirst } = require('./bench-support');
const { startStack, startCeiling, sleep } = require('./bench-stack');
const { seatConflictBodies } = require('../seat-plan');
const { printTable, writeResults } = require('./bench-report');
const { listenOverflows, measureCpu } = require('./cpu-usage');

const { readCliOptions, UsageError } = require('../cli-options');

const VENUE_SEATS = 78_000;
const options = readCliOptions({
  usage: 'npm run bench -- [options]',
  about:
    'The seat-conflict ladder: for each duplicate ratio, loads the API + worker (as production runs them) and a\n' +
    'bare-EVALSHA ceiling server with the same plan; prints the table, drain times, CPU and RSS, and writes\n' +
    'bench/results/<date>.json and .html. Exit 1 if a run sold a seat twice or left the stores apart.',
  options: {
    ratios: { type: 'string', default: '0.1,0.3,0.5,0.7,0.9,1.1', help: 'duplicate ratios, comma-separated' },
    connections: { type: 'number', default: 1000, help: 'concurrent connections' },
    seats: { type: 'number', default: VENUE_SEATS, help: 'distinct seats per ratio (at most 78,000)' },
    seed: { type: 'number', default: 7, help: 'seed of the shuffled plan' },
    'api-processes': { type: 'number', default: 1, help: 'API processes sharing the port' },
    'worker-nice': { type: 'number', default: 0, help: 'nice value of the worker and dynalite' },
    'worker-idle': { type: 'boolean', help: 'run the worker and dynalite at SCHED_IDLE' },
    'no-ceiling': { type: 'boolean', help: 'skip the ceiling server' },
    // Requests each server gets before the ladder, on an event of their own, so the first ratio is not
    // measured on a cold JIT (the 10 % row used to carry the warm-up in its p99).
    warmup: { type: 'number', default: 20_000, help: 'warm-up requests to each server before the ladder, 0 for none' },
    scale: { type: 'boolean', help: 'run the scale bench instead (see npm run bench:scale -- --help)' },
  },
  examples: ['npm run bench -- --ratios 0.3 --seats 10000', 'npm run bench -- --api-processes 2 --worker-idle'],
});
const RATIOS = options.ratios.split(',').map(Number);
if (RATIOS.some((r) => !Number.isFinite(r) || r < 0)) {
  console.error(new UsageError(`--ratios must be numbers >= 0, got "${options.ratios}"`).message);
  process.exit(2);
}
const CONNECTIONS = options.connections;
const SEATS = Math.min(options.seats, VENUE_SEATS);
const SEED = options.seed;
const WITH_CEILING = !options['no-ceiling'];
const API_PROCESSES = options['api-processes'];
const WORKER_NICE = options['worker-nice'];
const WORKER_IDLE = options['worker-idle'];
const WARMUP = options.warmup;
const DRAIN_TIMEOUT_MS = 600_000;
if (!options.scale) buildFirst();
const keys = require(join(ROOT, 'dist', 'purchasing', 'seat-map', 'seat-map.keys.js'));

/**
 * One autocannon run of the bodies against `base`, with a progress bar; every run stops by itself. `pids`
 * (role -> pid) get their CPU share measured over the run, the load generator's own included.
 */
async function load(label, base, bodies, pids) {
  const cpu = measureCpu({ ...pids, loadgen: process.pid });
  const overflowsBefore = listenOverflows();
  const bar = new cliProgress.SingleBar(
    { format: `  ${label.padEnd(9)} {bar} {value}/{total} requests`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(bodies.length, 0);
  let next = 0;
  const ticker = setInterval(() => bar.update(next), 250);
  const host = new URL(base).host;
  let sentBytes = 0;
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
        setupRequest: (request) => {
          const body = bodies[next++];
          // What goes on the wire: request line, the headers autocannon writes, the body.
          sentBytes += 95 + host.length + String(body.length).length + body.length;
          return { ...request, body };
        },
      },
    ],
  });
  clearInterval(ticker);
  bar.stop();
  const cpuPercent = cpu.stop();
  const statuses = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count;
  return {
    samples: result.requests.total,
    durationS: result.duration,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    receivedKBps: Math.round(result.throughput.total / 1024 / result.duration),
    sentKBps: Math.round(sentBytes / 1024 / result.duration),
    cpuPercent,
    // CPU time per request of the process serving it: steadier than requests/s on a shared machine.
    cpuMicrosPerRequest: Object.fromEntries(
      Object.entries(cpuPercent).map(([name, pct]) => [
        name,
        Math.round(((pct / 100) * result.duration * 1e6) / Math.max(1, result.requests.total)),
      ]),
    ),
    // SYNs dropped on a full accept queue during the run (any listener on the machine).
    listenOverflows: overflowsBefore === undefined ? undefined : listenOverflows() - overflowsBefore,
  };
}

/** Opens the ceiling's copy of the sale on its own Redis database with the platform's open-zone script. */
async function openCeilingSale(redis, eventId) {
  for (let zoneId = 1; zoneId <= 100; zoneId++) {
    const zone = keys.zoneKeys(eventId, zoneId);
    await redis.openZone(zone.counts, zone.seats, 26, 30);
  }
}

/** Waits until each pipeline has handled `expected` more tickets, then until `verify` passes. */
async function drain(stack, eventId, baseline, expected, lastResponse) {
  const bar = new cliProgress.SingleBar(
    { format: '  draining  {bar} {value}/{total} tickets in both stores', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(expected * 2, 0);
  const caughtUp = {};
  let handled = {};
  while (Object.keys(caughtUp).length < Object.keys(baseline).length) {
    if (Date.now() - lastResponse > DRAIN_TIMEOUT_MS) break;
    handled = await stack.pipelinesHandled();
    let total = 0;
    for (const [queue, count] of Object.entries(handled)) {
      const done = count - (baseline[queue] ?? 0);
      total += Math.min(done, expected);
      if (done >= expected && caughtUp[queue] === undefined) caughtUp[queue] = Date.now() - lastResponse;
    }
    bar.update(total);
    await sleep(100);
  }
  bar.stop();
  let verified;
  while (Date.now() - lastResponse < DRAIN_TIMEOUT_MS) {
    verified = stack.verify(eventId);
    if (verified.agree) break;
    await sleep(500);
  }
  const storeOf = (suffix) => Object.entries(caughtUp).find(([q]) => q.endsWith(suffix))?.[1];
  return {
    readModelMs: storeOf('read-model'),
    writeStoreMs: storeOf('write-store'),
    storesAgreeMs: verified?.agree ? Date.now() - lastResponse : undefined,
    verify: verified?.output.split('\n')[0],
    handled,
  };
}

async function main() {
  const stack = await startStack({
    env: { API_PROCESSES: String(API_PROCESSES) },
    workerNice: WORKER_NICE,
    workerIdle: WORKER_IDLE,
  });
  const ceiling = WITH_CEILING ? await startCeiling(stack) : undefined;
  const ceilingRedis = new Redis(stack.ceilingRedisUrl);
  ceilingRedis.defineCommand('openZone', {
    numberOfKeys: 2,
    lua: require('node:fs').readFileSync(join(ROOT, 'dist', 'purchasing', 'seat-map', 'open-zone.lua'), 'utf8'),
  });
  /** One load of the ceiling on a sale of its own, opened on its Redis database and emptied after. */
  const loadCeiling = async (label, tag, bodiesFor, pids) => {
    const eventId = `ceiling-${tag}-${Date.now().toString(36)}`;
    await openCeilingSale(ceilingRedis, eventId);
    const run = await load(label, ceiling.base, bodiesFor(eventId), pids);
    // Its outbox is nobody's: empty the ceiling's database so Redis memory stays flat across ratios.
    if (process.env.BENCH_REDIS_URL === undefined) await ceilingRedis.flushdb();
    return run;
  };
  const runs = [];
  const warmupPlan = (eventId) =>
    seatConflictBodies({
      eventId,
      seats: Math.min(VENUE_SEATS, Math.round(WARMUP / 1.3)),
      ratio: 0.3,
      seed: SEED + 1,
    }).slice(0, WARMUP);
  console.log(
    `bench ladder: ${SEATS} seats of Venue1, duplicate ratios ${RATIOS.map((r) => `${Math.round(r * 100)}%`).join(' ')}, ` +
      `${CONNECTIONS} connections, ${API_PROCESSES} API process(es), worker ${WORKER_IDLE ? 'SCHED_IDLE' : `nice ${WORKER_NICE}`}, ` +
      `node ${process.version}`,
  );
  try {
    if (WARMUP > 0) {
      console.log(`warm-up: ${WARMUP} requests to each server, on an event of their own (not in the table)`);
      if (ceiling !== undefined) await loadCeiling('warm-up', 'warmup', warmupPlan, {});
      const eventId = `bench-warmup-${Date.now().toString(36)}`;
      await stack.openSale(eventId);
      const baseline = await stack.pipelinesHandled();
      const warm = await load('warm-up', stack.base, warmupPlan(eventId), {});
      // The ladder starts with the pipelines idle, as each ratio after it does.
      await drain(stack, eventId, baseline, warm.statuses['201'] ?? 0, Date.now());
    }
    for (const ratio of RATIOS) {
      const tag = `${Math.round(ratio * 100)}`;
      console.log(`ratio ${tag}%:`);
      const ceilingRun =
        ceiling === undefined
          ? undefined
          : await loadCeiling(
              'ceiling',
              tag,
              (eventId) => seatConflictBodies({ eventId, seats: SEATS, ratio, seed: SEED }),
              { ceiling: ceiling.pid, redis: stack.pids().redis },
            );
      const eventId = `bench-${tag}-${Date.now().toString(36)}`;
      await stack.openSale(eventId);
      const bodies = seatConflictBodies({ eventId, seats: SEATS, ratio, seed: SEED });
      const baseline = await stack.pipelinesHandled();
      const api = await load('API', stack.base, bodies, stack.pids());
      const lastResponse = Date.now();
      const created = api.statuses['201'] ?? 0;
      const drained = await drain(stack, eventId, baseline, created, lastResponse);
      // Statuses other than 201/409, plus requests with no answer (autocannon's errors include its timeouts).
      const other = api.samples - created - (api.statuses['409'] ?? 0) + api.errors;
      runs.push({
        ratio,
        requests: bodies.length,
        distinctSeats: SEATS,
        duplicates: bodies.length - SEATS,
        api,
        ceiling: ceilingRun,
        ceilingRatio: ceilingRun
          ? Number((api.requestsPerSecond / ceilingRun.requestsPerSecond).toFixed(2))
          : undefined,
        createdEqualsDistinct: created === SEATS && (api.statuses['409'] ?? 0) === bodies.length - SEATS,
        otherStatuses: other,
        drain: drained,
        peakRssMiB: stack.peakRss(),
      });
      printTable(runs.slice(-1), { header: false, compact: true });
    }
  } finally {
    ceilingRedis.disconnect();
    await ceiling?.stop();
    await stack.stop();
  }
  console.log('');
  printTable(runs, { header: true });
  const files = writeResults({
    connections: CONNECTIONS,
    seats: SEATS,
    seed: SEED,
    apiProcesses: API_PROCESSES,
    workerNice: WORKER_NICE,
    workerIdle: WORKER_IDLE,
    warmupRequests: WARMUP,
    node: process.version,
    cores: require('node:os').availableParallelism(),
    runs,
  });
  console.log(`results: ${files.json}\nchart:   ${files.html}`);
  if (runs.some((r) => !r.createdEqualsDistinct || r.otherStatuses > 0 || r.drain.storesAgreeMs === undefined))
    process.exitCode = 1;
}

if (options.scale) {
  // 1 Redis vs a 3-shard cluster, 1 vs 2 API processes: its own script, with its own defaults.
  process.argv.splice(2);
  require('./scale.bench.js');
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

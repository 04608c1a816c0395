// Runs the JMeter seat-conflict plan against a running API and worker and judges the result:
//   1. writes the seat CSV (generate-csv.js) for a fresh event id,
//   2. opens that event through the admin endpoint (ADMIN_TOKEN),
//   3. runs jmeter/seat-conflict.jmx headless into a .jtl,
//   4. checks the .jtl: 201s = distinct seats, 409s = extra requests, no other status,
//   5. waits for both pipelines to drain and runs the stores' consistency check (`verify`),
// and prints one line of figures per run. Exit 0 when every check holds, 1 on any mismatch, 2 when the run
// could not be made (no JMeter, API unreachable, bad options).
//
//   npm run jmeter -- --ratio 0.3 [--zones 1] [--seed N] [--threads 1000] [--host 127.0.0.1] [--port 3000]
//   npm run jmeter -- --ladder [...]     the six ratios 10 %-110 %, one fresh event each, then a table
//   npm run jmeter -- --check                    which JMeter would run, or what is missing (exit 2)
//
// The target must not rate-limit purchases (RATE_LIMIT_MAX=0): every JMeter thread comes from one address.
// `verify` reaches the stores with this process's environment (and .env), as `npm run verify` does.
const { spawn, execFile } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { clearTimeout } = require('node:timers');
const { setTimeout: sleep } = require('node:timers/promises');
const { buildFirst } = require('../scripts/bench/bench-support');
const { readCliOptions, UsageError } = require('../scripts/cli-options');
const { DEFAULT_CATALOG, LADDER, readVenue, writeSeatCsv } = require('./generate-csv');
const { resolveJMeter } = require('./jmeter-command');
const { jtlFigures } = require('./jtl-figures');

const ROOT = join(__dirname, '..');
const PLAN = join(__dirname, 'seat-conflict.jmx');
const VERIFY = join(ROOT, 'dist', 'consistency', 'verify.main.js');

/** The flags (--help and a bad flag exit here); the run's options once `--ratio` or `--ladder` is given. */
function readOptions(argv) {
  const values = readCliOptions(
    {
      usage: 'npm run jmeter -- --ratio <r> | --ladder [options]',
      about:
        'Runs the JMeter seat-conflict plan against a running API and worker (RATE_LIMIT_MAX=0, ADMIN_TOKEN set) and\n' +
        'judges it: 201s = distinct seats, 409s = extra requests, no other status; then both pipelines drain and\n' +
        '`verify` compares the stores. Exit 0 when every check holds, 1 on a mismatch, 2 when it could not run.',
      options: {
        ratio: { type: 'number', help: 'extra requests as a share of the seats (0.3 = 30 %)' },
        ladder: { type: 'boolean', help: 'the six ratios 10 %-110 %, one fresh event each, then a table' },
        zones: { type: 'number', help: "the venue's first N zones (default: all)" },
        seed: { type: 'number', default: 1, help: 'seed of the extra requests drawn' },
        threads: { type: 'number', default: 1000, help: 'JMeter threads' },
        rampup: { type: 'number', default: 1, help: 'seconds to start them all' },
        host: { type: 'string', default: '127.0.0.1', help: 'the API' },
        port: { type: 'number', default: 3000, help: "the API's port" },
        venue: { type: 'string', default: 'Venue1', help: 'the venue of the sale' },
        catalog: { type: 'string', default: process.env.CATALOG_FILE ?? DEFAULT_CATALOG, help: 'the catalog file' },
        out: { type: 'string', default: join(ROOT, 'test-output', 'jmeter', 'runs'), help: 'results folder' },
        'drain-timeout': { type: 'number', default: 300, help: 'seconds to wait for the pipelines to drain' },
        'jmeter-timeout': { type: 'number', default: 1800, help: 'seconds one JMeter run may take' },
        check: { type: 'boolean', help: 'say which JMeter would run, or what is missing (exit 2), and stop' },
      },
      examples: ['npm run jmeter -- --ratio 0.3 --zones 1 --seed 7', 'npm run jmeter -- --ladder'],
    },
    argv,
  );
  if (values.check) return { check: true };
  if (values.ladder === (values.ratio !== undefined)) throw new UsageError('give either --ratio R or --ladder');
  const catalog = resolve(ROOT, values.catalog);
  const adminToken = process.env.ADMIN_TOKEN;
  if (!adminToken) throw new UsageError('ADMIN_TOKEN is not set (environment or .env): the run opens its own sale');
  return {
    check: false,
    ratios: values.ladder ? LADDER : [values.ratio],
    zones: values.zones ?? readVenue(catalog, values.venue).zones.length,
    seed: values.seed,
    threads: values.threads,
    rampup: values.rampup,
    host: values.host,
    port: values.port,
    venue: values.venue,
    catalog,
    out: resolve(values.out),
    drainTimeoutMs: values['drain-timeout'] * 1000,
    jmeterTimeoutMs: values['jmeter-timeout'] * 1000,
    adminToken,
  };
}

const baseUrl = (options) => `http://${options.host}:${options.port}`;
const percent = (ratio) => `${Math.round(ratio * 100)} %`;

async function openSale(options, eventId) {
  const response = await fetch(`${baseUrl(options)}/api/v1/admin/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.adminToken}` },
    body: JSON.stringify({
      eventId,
      venueId: options.venue,
      name: `JMeter seat conflict ${eventId}`,
      type: 'load-test',
      date: '2027-06-01T19:00:00Z',
    }),
  }).catch((error) => {
    throw new UsageError(`cannot reach the API at ${baseUrl(options)}: ${error.cause?.message ?? error.message}`);
  });
  if (response.status !== 201) {
    throw new UsageError(`opening sale ${eventId} answered ${response.status}: ${await response.text()}`);
  }
}

/** Runs the plan headless; JMeter's summariser lines show the progress. Killed past the time limit. */
function runPlan(jmeter, options, paths) {
  const [file, args] = jmeter.command([
    '-n',
    '-t',
    PLAN,
    '-l',
    paths.jtl,
    '-j',
    paths.log,
    `-Jcsv=${paths.csv}`,
    `-Jhost=${options.host}`,
    `-Jport=${options.port}`,
    `-Jthreads=${options.threads}`,
    `-Jrampup=${options.rampup}`,
    '-Jjmeter.save.saveservice.output_format=csv',
    '-Jjmeter.save.saveservice.print_field_names=true',
    '-Jsampleresult.timestamp.start=true',
    // A retried POST would be a second purchase; JMeter 5.x would also drop keep-alive between iterations.
    '-Jhttpclient4.retrycount=0',
    '-Jhttpclient.reset_state_on_thread_group_iteration=false',
  ]);
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a JMeter started through a shell script is stopped with all its children.
    const child = spawn(file, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    const relay = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      process.stdout.write(text.replace(/^(?=.)/gm, '  jmeter| '));
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    const stop = () => {
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    };
    const timer = setTimeout(stop, options.jmeterTimeoutMs);
    process.once('SIGINT', stop).once('SIGTERM', stop);
    const settle = () => {
      clearTimeout(timer);
      process.off('SIGINT', stop).off('SIGTERM', stop);
    };
    child.on('error', (error) => {
      settle();
      reject(new UsageError(`cannot start ${file}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      settle();
      if (code === 0 && existsSync(paths.jtl)) resolvePromise();
      else reject(new Error(`JMeter ended with ${signal ?? `status ${code}`} (log: ${paths.log}):\n${tail}`));
    });
  });
}

async function ticketsSold(options, eventId) {
  try {
    const response = await fetch(`${baseUrl(options)}/api/v1/events/${eventId}/sales`);
    return response.ok ? (await response.json()).ticketsSold : 0;
  } catch {
    return 0;
  }
}

/** One run of `verify`: its exit status, figures and output. */
function verify(eventId) {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [VERIFY, '--event', eventId],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const figures = /^verify \S+: (\{.*\})$/m.exec(stdout);
        resolvePromise({
          code: error === null ? 0 : (error.code ?? 1),
          figures: figures === null ? {} : JSON.parse(figures[1]),
          output: `${stdout}${stderr}`.trim(),
        });
      },
    );
  });
}

/**
 * Waits until the read model holds at least the tickets JMeter saw sold (cheap, over HTTP), then runs
 * `verify` until Redis, DynamoDB and MySQL agree (its exit 0: every taken seat has its one live ticket in
 * both stores), or the time runs out. After the run nothing more is sold, so agreeing means drained.
 */
async function waitUntilStoresAgree(options, eventId, soldAtLeast) {
  const started = Date.now();
  const deadline = started + options.drainTimeoutMs;
  while (Date.now() < deadline && (await ticketsSold(options, eventId)) < soldAtLeast) await sleep(500);
  const readModelMs = Date.now() - started;
  for (;;) {
    const result = await verify(eventId);
    const agree = result.code === 0;
    // Status 2 is a configuration problem (no DYNAMODB_ENDPOINT, …): waiting will not fix it.
    if (agree || result.code === 2 || Date.now() >= deadline) {
      return { ...result, agree, readModelMs, afterMs: Date.now() - started };
    }
    await sleep(2000);
  }
}

/** Everything that must hold, as sentences; empty when the run is right. */
function mismatches(expected, figures, stores) {
  const problems = [];
  if (figures.samples !== expected.requests)
    problems.push(`${figures.samples} samples for ${expected.requests} CSV lines`);
  if (figures.created !== expected.seats)
    problems.push(`${figures.created} × 201 for ${expected.seats} distinct seats`);
  if (figures.conflicts !== expected.duplicates) {
    problems.push(`${figures.conflicts} × 409 for ${expected.duplicates} duplicate requests`);
  }
  if (figures.other !== 0) {
    const others = Object.entries(figures.statuses).filter(([code]) => code !== '201' && code !== '409');
    problems.push(`other statuses: ${others.map(([code, n]) => `${code} × ${n}`).join(', ')}`);
    if (others.some(([code]) => code === '429')) problems.push('429: start the API with RATE_LIMIT_MAX=0');
  }
  if (figures.failed !== figures.other) {
    problems.push(`${figures.failed} samples failed the assertion, ${figures.other} had another status than 201/409`);
  }
  if (!stores.agree) {
    problems.push(`stores do not agree: ${stores.output.split('\n').slice(0, 8).join(' | ')}`);
    return problems;
  }
  const { redisTaken, dynamodbLive, mysqlLive } = stores.figures;
  if (redisTaken !== expected.seats) problems.push(`${redisTaken} seats taken in Redis for ${expected.seats} seats`);
  if (redisTaken > figures.created) {
    // A request can time out after its reservation ran (a 503 under overload): sold, but never told so.
    problems.push(`${redisTaken - figures.created} seats were sold without their buyer getting a 201`);
  }
  if (dynamodbLive !== redisTaken || mysqlLive !== redisTaken) {
    problems.push(`live tickets: redis ${redisTaken}, dynamodb ${dynamodbLive}, mysql ${mysqlLive}`);
  }
  return problems;
}

async function runOnce(options, jmeter, ratio) {
  const eventId = `jm${Math.round(ratio * 100)}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const dir = join(options.out, eventId);
  mkdirSync(dir, { recursive: true });
  const paths = {
    csv: join(dir, 'seats.csv'),
    jtl: join(dir, 'results.jtl'),
    log: join(dir, 'jmeter.log'),
  };
  const expected = writeSeatCsv({
    catalogFile: options.catalog,
    venueId: options.venue,
    eventId,
    zones: options.zones,
    ratio,
    seed: options.seed,
    csvPath: paths.csv,
  });
  await openSale(options, eventId);
  console.log(
    `seat conflict ${percent(ratio)}: event ${eventId}, ${expected.requests} requests ` +
      `(${expected.seats} seats + ${expected.duplicates} duplicates), ${options.threads} threads → ${baseUrl(options)}`,
  );
  await runPlan(jmeter, options, paths);
  const figures = jtlFigures(readFileSync(paths.jtl, 'utf8'));
  const stores = await waitUntilStoresAgree(options, eventId, figures.created);
  const problems = mismatches(expected, figures, stores);
  const summary = {
    eventId,
    ratio,
    zones: options.zones,
    seed: options.seed,
    threads: options.threads,
    expected,
    figures,
    verify: { agree: stores.agree, readModelMs: stores.readModelMs, afterMs: stores.afterMs, figures: stores.figures },
    problems,
    ok: problems.length === 0,
    dir,
  };
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(summaryLine(summary));
  for (const problem of problems) console.log(`  MISMATCH ${problem}`);
  return summary;
}

function summaryLine(s) {
  const f = s.figures;
  return (
    `jmeter ${percent(s.ratio)} × ${s.zones} zone(s): samples ${f.samples}, 201 ${f.created}/${s.expected.seats}, ` +
    `409 ${f.conflicts}/${s.expected.duplicates}, other ${f.other} | ${f.throughput.toFixed(0)} req/s, ` +
    `p50 ${f.p50} ms, p99 ${f.p99} ms | verify: ` +
    `${s.verify.agree ? `stores agree on ${s.verify.figures.redisTaken} tickets` : 'stores DISAGREE'} ` +
    `${(s.verify.afterMs / 1000).toFixed(1)} s after the run (read model ${(s.verify.readModelMs / 1000).toFixed(1)} s) | ` +
    `${s.ok ? 'OK' : 'MISMATCH'}`
  );
}

function ladderTable(summaries) {
  const rows = summaries.map((s) => [
    percent(s.ratio),
    s.figures.samples,
    `${s.figures.created}`,
    `${s.figures.conflicts}`,
    s.figures.other,
    s.figures.throughput.toFixed(0),
    s.figures.p50,
    s.figures.p99,
    `${(s.verify.readModelMs / 1000).toFixed(1)} s`,
    `${(s.verify.afterMs / 1000).toFixed(1)} s`,
    s.ok ? 'OK' : 'MISMATCH',
  ]);
  const header = [
    'dup',
    'samples',
    '201',
    '409',
    'other',
    'req/s',
    'p50 ms',
    'p99 ms',
    'read model',
    'stores agree',
    'result',
  ];
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function jmeterOrUsageError() {
  try {
    return resolveJMeter();
  } catch (error) {
    throw new UsageError(error.message);
  }
}

async function main() {
  if (existsSync(join(ROOT, '.env'))) process.loadEnvFile(join(ROOT, '.env'));
  const options = readOptions(process.argv.slice(2));
  if (options.check) {
    // For tests and CI: says which JMeter would run (exit 0) or what is missing (exit 2).
    console.log(`JMeter: ${jmeterOrUsageError().label}`);
    return 0;
  }
  // `npm run jmeter` runs what production runs; after the flags, so --help builds nothing. Started by hand
  // (or by a test), the script uses dist/ as it is.
  if (process.env.npm_lifecycle_event === 'jmeter') buildFirst();
  if (!existsSync(VERIFY)) throw new UsageError(`${VERIFY} is missing: npm run build first`);
  const jmeter = jmeterOrUsageError();
  console.log(`JMeter: ${jmeter.label}; results under ${options.out}`);
  const summaries = [];
  for (const ratio of options.ratios) summaries.push(await runOnce(options, jmeter, ratio));
  if (summaries.length > 1) {
    console.log(ladderTable(summaries));
    writeFileSync(join(options.out, `ladder-${Date.now()}.json`), `${JSON.stringify(summaries, null, 2)}\n`);
  }
  return summaries.every((s) => s.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);

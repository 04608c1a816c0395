// `npm run bench:dynamo-client`: what one conditional PutItem costs the caller through each DynamoDB client the
// worker could use: the AWS SDK's bare client (PutItemCommand), its document client (PutCommand) and the
// project's DynamoJsonClient (the default, DYNAMODB_CLIENT=json). Starts its own dynalite process; each run
// appends seat-stream items as the write store does (marshalled from a plain object, conditioned on
// attribute_not_exists), on fresh keys, so every put succeeds. Rounds alternate the clients' order
// (A B C, C B A, ...) so that drift of the machine's load falls on all of them alike.
// Usage: npm run bench:dynamo-client -- --help
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const cliProgress = require('cli-progress');
const { ROOT, buildFirst, freePort } = require('./bench-support');
const { cpuSeconds } = require('./cpu-usage');
const { readCliOptions } = require('../cli-options');

const options = readCliOptions({
  usage: 'npm run bench:dynamo-client -- [options]',
  examples: ['npm run bench:dynamo-client -- --items 20000 --in-flight 32'],
  about:
    'Conditional PutItems against a dynalite of its own through the SDK client, the SDK document client and the\n' +
    'JSON client, alternating rounds; prints items/s and CPU µs per item of this process and of dynalite.',
  options: {
    items: { type: 'number', default: 20_000, help: 'conditional PutItems per client per round' },
    'in-flight': { type: 'number', default: 32, help: 'calls in flight (the write store sends 32)' },
    rounds: { type: 'number', default: 2, help: 'rounds per client, the order alternating' },
    warmup: { type: 'number', default: 2000, help: 'puts per client before the rounds, not measured' },
  },
});
const ITEMS = options.items;
const IN_FLIGHT = Math.max(1, options['in-flight']);
const ROUNDS = Math.max(1, options.rounds);
const WARMUP = options.warmup;
buildFirst();

const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');
const { marshall } = require('@aws-sdk/util-dynamodb');
const { createDynamoClients } = require(join(ROOT, 'dist', 'write-store', 'dynamodb.client.js'));

const { ensureWriteStoreTables, writeStoreTables } = require(
  join(ROOT, 'dist', 'write-store', 'write-store-tables.js'),
);
// The write store's own tables (same keys as production), under a prefix of the bench's own.
const TABLES = writeStoreTables('bench');
const TABLE = TABLES.seatEvents;
const REGION = 'us-east-1';
const CONDITION = 'attribute_not_exists(streamId)';

/** A seat-stream item as the write store appends it (see dynamo-ticket-write-store.ts). */
function seatEvent(key) {
  const data = {
    ticketId: `t-${key}`,
    venueId: 'Venue1',
    eventId: 'bench',
    zoneId: 7,
    row: 'K',
    column: 12,
    price: 25,
    createdOn: new Date().toISOString(),
  };
  const recordedAt = new Date().toISOString();
  return { streamId: `bench#${key}`, version: 1, type: 'TicketReserved', ticketId: data.ticketId, data, recordedAt };
}

/** The SDK client as createDynamoClients configures it: same attempts, timeouts and sockets. */
function sdkClient(endpoint) {
  return new DynamoDBClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: 1000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}

async function startDynalite() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'write-store', 'dynalite.main.js'), '--port', String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('listening')) resolve();
    });
  });
  child.stdout.resume();
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/** `count` puts through `put`, `IN_FLIGHT` at a time; `onDone` after each. */
async function run(put, prefix, count, onDone) {
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const i = next++;
      await put(seatEvent(`${prefix}#${i}`));
      onDone();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
}

async function measure(client, prefix, onDone, dynalitePid) {
  const cpuBefore = process.cpuUsage();
  const dynaliteBefore = cpuSeconds(dynalitePid);
  const started = process.hrtime.bigint();
  await run(client.put, prefix, ITEMS, onDone);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const dynaliteAfter = cpuSeconds(dynalitePid);
  return {
    client: client.name,
    itemsPerSecond: Math.round(ITEMS / seconds),
    clientCpuUs: Math.round((cpu.user + cpu.system) / ITEMS),
    // /proc counts in 10 ms ticks: ~0.5 µs per item of rounding at 20,000 items.
    dynaliteCpuUs:
      dynaliteBefore === undefined || dynaliteAfter === undefined
        ? undefined
        : Math.round(((dynaliteAfter - dynaliteBefore) * 1e6) / ITEMS),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
};

async function main() {
  const dynalite = await startDynalite();
  const bare = sdkClient(dynalite.endpoint);
  const document = DynamoDBDocumentClient.from(bare, { marshallOptions: { removeUndefinedValues: true } });
  const project = createDynamoClients(dynalite.endpoint, REGION);
  const clients = [
    {
      name: 'SDK DynamoDBClient + PutItemCommand',
      put: (item) =>
        bare.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: marshall(item, { removeUndefinedValues: true }),
            ConditionExpression: CONDITION,
          }),
        ),
    },
    {
      name: 'SDK DynamoDBDocumentClient + PutCommand',
      put: (item) => document.send(new PutCommand({ TableName: TABLE, Item: item, ConditionExpression: CONDITION })),
    },
    {
      name: 'DynamoJsonClient (the default)',
      put: (item) =>
        project.json.call('PutItem', {
          TableName: TABLE,
          Item: marshall(item, { removeUndefinedValues: true }),
          ConditionExpression: CONDITION,
        }),
    },
  ];
  try {
    await ensureWriteStoreTables(bare, TABLES);
    console.log(
      `dynamo-client bench: ${ITEMS} conditional PutItems per client per round, ${IN_FLIGHT} in flight, ` +
        `${ROUNDS} rounds, dynalite ${dynalite.endpoint} (pid ${dynalite.child.pid}), Node ${process.version}`,
    );
    for (const [c, client] of clients.entries()) await run(client.put, `warmup#${c}`, WARMUP, () => undefined);

    const bar = new cliProgress.SingleBar(
      { format: '  round {round} {client} {bar} {value}/{total} puts', hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    const total = ROUNDS * clients.length * ITEMS;
    let done = 0;
    bar.start(total, 0, { round: 1, client: '' });
    const ticker = setInterval(() => bar.update(done), 250);
    const results = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? clients : [...clients].reverse();
        for (const client of order) {
          bar.update(done, { round: round + 1, client: client.name.split(' ')[0] });
          const prefix = `r${round}#${clients.indexOf(client)}`;
          results.push({ round: round + 1, ...(await measure(client, prefix, () => done++, dynalite.child.pid)) });
        }
      }
    } finally {
      clearInterval(ticker);
      bar.stop();
    }

    console.log('\n| round | client | items/s | client CPU µs per item | dynalite CPU µs per item |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of results)
      console.log(
        `| ${r.round} | ${r.client} | ${r.itemsPerSecond} | ${r.clientCpuUs} | ${r.dynaliteCpuUs ?? 'n/a'} |`,
      );
    console.log('\nmedian over the rounds:\n');
    console.log('| client | items/s | client CPU µs per item | dynalite CPU µs per item |');
    console.log('| --- | --- | --- | --- |');
    for (const client of clients) {
      const mine = results.filter((r) => r.client === client.name);
      const dynaliteUs = mine.every((r) => r.dynaliteCpuUs !== undefined)
        ? median(mine.map((r) => r.dynaliteCpuUs))
        : 'n/a';
      console.log(
        `| ${client.name} | ${median(mine.map((r) => r.itemsPerSecond))} | ${median(mine.map((r) => r.clientCpuUs))} | ${dynaliteUs} |`,
      );
    }
  } finally {
    document.destroy();
    project.destroy();
    dynalite.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

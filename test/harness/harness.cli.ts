import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { readCliOptions } from '../../src/platform/cli/cli-options';
import { progressBar } from '../../src/platform/cli/progress-bar';
import { deleteTopology, topologyFor } from '../../src/platform/amqp/topology';
import { DomainHarness } from './domain-harness';
import { everySeat, withDuplicates } from './sale-plans';

const options = readCliOptions({
  usage: 'npm run harness -- [options]',
  about:
    'One seat-conflict sale through the CommandBus on the real services (Redis, RabbitMQ, MySQL, an embedded\n' +
    'dynalite), drained into both stores, with its figures. Runs on its own broker namespace (deleted after) and\n' +
    "a Redis database other than a running stack's. Exit 1 when a seat sold twice or the stores disagree.",
  options: {
    venue: { type: 'string', default: 'Venue1', value: 'venueId', help: 'the venue of the sale' },
    zones: { type: 'number', integer: true, min: 1, default: 10, help: "the venue's first N zones, every seat" },
    dup: { type: 'number', default: 0.5, help: 'extra requests for taken seats, as a share of the seats' },
    seed: { type: 'number', default: 1, help: 'seed of the duplicates drawn' },
    concurrency: { type: 'number', integer: true, min: 1, default: 1000, help: 'commands in flight' },
  },
  examples: ['npm run harness -- --zones 2 --dup 0.3', 'npm run harness -- --zones 100 --concurrency 2000'],
});

async function main(): Promise<void> {
  const { venue: venueId, zones, dup, seed, concurrency } = options;
  process.env.AMQP_NAMESPACE ??= `harness-${randomBytes(3).toString('hex')}`;
  process.env.REDIS_URL ??= `redis://127.0.0.1:6379/${1 + (randomBytes(1)[0]! % 15)}`;

  const harness = await DomainHarness.start({ concurrency });
  try {
    const seats = everySeat(harness.venue(venueId), zones);
    const plan = withDuplicates(seats, dup, seed);
    const eventId = await harness.openEvent('harness', venueId);
    console.log(
      `harness: event ${eventId}, ${plan.length} commands over ${seats.length} seats of ${venueId} ` +
        `(${Math.round(dup * 100)}% duplicates, seed ${seed}), ${concurrency} in flight`,
    );
    const bar = progressBar();
    const result = await harness.purchase(venueId, eventId, plan, (done) =>
      bar.progress(`${done}/${plan.length} commands`, { done, total: plan.length, unit: 'commands' }),
    );
    bar.stop();
    result.assertEachSeatSoldAtMostOnce();
    const kinds = result.kinds();
    console.log(
      `  outcomes ${JSON.stringify(kinds)} in ${Math.round(result.elapsedMs)} ms (${result.commandsPerSecond()} commands/s)`,
    );
    bar.progress('waiting for both pipelines to drain…');
    const drainMs = await harness.waitForDrain(result, undefined, (done, total) =>
      bar.progress(`${done}/${total} tickets in MySQL`, { done, total, unit: 'tickets in MySQL' }),
    );
    bar.stop();
    const stored = await harness.storedTicketIds(eventId);
    result.assertAllReservedIn('DynamoDB', stored.dynamodb);
    result.assertAllReservedIn('MySQL', stored.mysql);
    const winners = kinds['RESERVED'] ?? 0;
    const ok = winners === seats.length && result.conflicts() === plan.length - seats.length;
    console.log(
      `  winners ${winners} = distinct seats ${seats.length}: ${ok ? 'yes' : 'NO'}; conflicts ${result.conflicts()}; ` +
        `DynamoDB ${stored.dynamodb.size}, MySQL ${stored.mysql.size} tickets; ` +
        `stores agree ${Math.round(drainMs)} ms after the last outcome`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await harness.stop();
    const connection = await connect(harness.config.AMQP_URL);
    await deleteTopology(await connection.createChannel(), topologyFor(harness.config.AMQP_NAMESPACE));
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

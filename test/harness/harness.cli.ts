/**
 * `npm run harness -- [--zones 10] [--dup 0.5] [--seed 1] [--concurrency 1000] [--venue Venue1]`: one
 * seat-conflict sale through the CommandBus on the real services, drained into both stores, with its figures.
 * Runs on its own broker namespace (deleted after) and a Redis database other than a running stack's.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { deleteTopology, topologyFor } from '../../src/platform/amqp/topology';
import { DomainHarness } from './domain-harness';
import { everySeat, withDuplicates } from './sale-plans';

function option(name: string, fallback: number): number;
function option(name: string, fallback: string): string;
function option(name: string, fallback: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const raw = process.argv[i + 1];
  if (typeof fallback === 'string') return raw ?? fallback;
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number >= 0`);
  return value;
}

async function main(): Promise<void> {
  const venueId = option('venue', 'Venue1');
  const zones = option('zones', 10);
  const dup = option('dup', 0.5);
  const seed = option('seed', 1);
  const concurrency = Math.max(1, option('concurrency', 1000));
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
    const result = await harness.purchase(venueId, eventId, plan, (done) =>
      process.stderr.write(`  ${done}/${plan.length} commands\n`),
    );
    result.assertEachSeatSoldAtMostOnce();
    const kinds = result.kinds();
    console.log(
      `  outcomes ${JSON.stringify(kinds)} in ${Math.round(result.elapsedMs)} ms (${result.commandsPerSecond()} commands/s)`,
    );
    process.stderr.write('  waiting for both pipelines to drain…\n');
    const drainMs = await harness.waitForDrain(result);
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

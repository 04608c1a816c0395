import { SingleBar } from 'cli-progress';
import { loadConfig } from '../platform/config/load-env';
import { topologyFor } from '../platform/amqp/topology';
import { runCli } from './cli-context';
import { readCliOptions } from '../platform/cli/cli-options';
import { PIPELINES, replayDeadLetters, type PipelineName } from './dead-letters/replay-dead-letters';

const options = readCliOptions({
  usage: 'npm run replay:dlq -- --pipeline write-store|read-model [--dry-run] [--limit <n>]',
  about:
    'Moves the messages of <namespace>.<pipeline>.dlq back to <namespace>.<pipeline>, where the worker handles\n' +
    'them again (idempotently per ticket). Each one is removed from the dead-letter queue only after the broker\n' +
    'confirmed its copy. Takes at most the messages waiting when it starts: running it twice moves nothing more,\n' +
    'except messages that failed again meanwhile.',
  options: {
    pipeline: {
      type: 'string',
      required: true,
      value: 'pipeline',
      help: 'the pipeline whose dead letters to replay',
      valid: { test: (value) => (PIPELINES as readonly string[]).includes(value), expected: PIPELINES.join(' or ') },
    },
    'dry-run': { type: 'boolean', help: 'count the messages by failure reason, move nothing' },
    limit: { type: 'number', integer: true, min: 1, help: 'at most this many messages (default: all)' },
  },
  examples: ['npm run replay:dlq -- --pipeline write-store --dry-run', 'npm run replay:dlq -- --pipeline write-store'],
  notes:
    'A seat-map rebuild refuses while <namespace>.write-store.dlq holds a message: replay it, then the rebuild\n' +
    'proceeds by itself. Messages that fail for their own fault (MALFORMED, OVERSIZED, UNKNOWN_PATTERN, REJECTED)\n' +
    'come back to the dead-letter queue; inspect and remove those on the broker.',
});
const pipeline = options.pipeline as PipelineName;
const dryRun = options['dry-run'];
const limit = options.limit ?? Infinity;

runCli(async () => {
  const config = loadConfig();
  const bar = new SingleBar({
    format: `${dryRun ? 'reading' : 'replaying'} [{bar}] {value}/{total} messages`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  const report = await replayDeadLetters(config.AMQP_URL, topologyFor(config.AMQP_NAMESPACE), pipeline, {
    dryRun,
    limit,
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  }).finally(() => started && bar.stop());

  for (const [reason, count] of report.reasons) console.log(`  ${String(count).padStart(7)}  ${reason}`);
  console.log(
    dryRun
      ? `${report.from}: ${report.waiting} message(s) waiting; dry run, nothing moved`
      : `${report.from} -> ${report.to}: ${report.moved} message(s) moved, ${report.waiting - report.moved} left`,
  );
  return 0;
});

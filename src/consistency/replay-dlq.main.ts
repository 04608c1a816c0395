import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { ConfigError } from '../platform/config/app-config';
import { loadConfig } from '../platform/config/load-env';
import { topologyFor } from '../platform/amqp/topology';
import { runCli } from './cli-context';
import { PIPELINES, replayDeadLetters, type PipelineName } from './dead-letters/replay-dead-letters';

const USAGE = `usage: npm run replay:dlq -- --pipeline write-store|read-model [--dry-run] [--limit N]

Moves the messages of <namespace>.<pipeline>.dlq back to <namespace>.<pipeline>, where the worker handles
them again (idempotently per ticket). Each one is removed from the dead-letter queue only after the broker
confirmed its copy. Takes at most the messages waiting when it starts: running it twice moves nothing more,
except messages that failed again meanwhile.

  --pipeline P   write-store or read-model (required)
  --dry-run      count the messages by failure reason, move nothing
  --limit N      at most N messages (default: all)
  --help         this text

A seat-map rebuild refuses while <namespace>.write-store.dlq holds a message: replay it, then the rebuild
proceeds by itself. Messages that fail for their own fault (MALFORMED, OVERSIZED, UNKNOWN_PATTERN, REJECTED)
come back to the dead-letter queue; inspect and remove those on the broker.`;

/** `npm run replay:dlq -- --pipeline write-store|read-model [--dry-run] [--limit N]`: see USAGE. */
runCli(async () => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: {
      pipeline: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pipeline = values.pipeline;
  if (pipeline === undefined || !(PIPELINES as readonly string[]).includes(pipeline))
    throw new ConfigError(`--pipeline must be write-store or read-model\n\n${USAGE}`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!Number.isSafeInteger(limit) && limit !== Infinity) throw new ConfigError('--limit must be a whole number');
  if (limit < 1) throw new ConfigError('--limit must be at least 1');
  const dryRun = values['dry-run'];

  const config = loadConfig();
  const bar = new SingleBar({
    format: `${dryRun ? 'reading' : 'replaying'} [{bar}] {value}/{total} messages`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  const report = await replayDeadLetters(
    config.AMQP_URL,
    topologyFor(config.AMQP_NAMESPACE),
    pipeline as PipelineName,
    {
      dryRun,
      limit,
      onProgress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    },
  ).finally(() => started && bar.stop());

  for (const [reason, count] of report.reasons) console.log(`  ${String(count).padStart(7)}  ${reason}`);
  console.log(
    dryRun
      ? `${report.from}: ${report.waiting} message(s) waiting; dry run, nothing moved`
      : `${report.from} -> ${report.to}: ${report.moved} message(s) moved, ${report.waiting - report.moved} left`,
  );
  return 0;
});

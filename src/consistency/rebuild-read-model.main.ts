import { openCliContext, runCli } from './cli-context';
import { EVENT_OPTION, readCliOptions } from '../platform/cli/cli-options';
import { progressBar } from '../platform/cli/progress-bar';

const { event: eventId } = readCliOptions({
  usage: 'npm run rebuild:read-model -- --event <eventId>',
  about:
    "Replaces the event's MySQL tickets with a replay of its DynamoDB tickets (the write store is the source of\n" +
    'truth): live tickets first, then cancelled ones. Safe to run twice.',
  options: { event: EVENT_OPTION },
  examples: ['npm run rebuild:read-model -- --event Event1'],
});

runCli(async () => {
  const context = await openCliContext();
  const bar = progressBar();
  try {
    const started = Date.now();
    const result = await context.consistency.rebuildReadModel(eventId, bar.progress);
    bar.stop();
    console.log(
      `rebuilt the read model of ${eventId}: ${result.reserved} live, ${result.cancelled} cancelled, ${result.refunded} refunded in ${Date.now() - started} ms`,
    );
    return 0;
  } finally {
    bar.stop();
    await context.close();
  }
});

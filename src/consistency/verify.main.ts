import { openCliContext, runCli } from './cli-context';
import { EVENT_OPTION, readCliOptions } from '../platform/cli/cli-options';

const { event: eventId } = readCliOptions({
  usage: 'npm run verify -- --event <eventId>',
  about:
    'Compares one event across the three stores (Redis seat map, DynamoDB tickets, MySQL read model) and prints\n' +
    'every difference. Exit 0 when they agree, 1 when they differ, 2 when a store cannot be reached.',
  options: { event: EVENT_OPTION },
  examples: ['npm run verify -- --event Event1'],
});

runCli(async () => {
  const context = await openCliContext();
  try {
    const report = await context.consistency.check(eventId);
    console.log(`verify ${eventId}: ${JSON.stringify(report.figures)}`);
    for (const difference of report.differences) console.log(`  DIFF ${difference}`);
    console.log(report.differences.length === 0 ? 'stores agree' : `${report.differences.length} difference(s)`);
    return report.differences.length === 0 ? 0 : 1;
  } finally {
    await context.close();
  }
});

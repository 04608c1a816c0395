import { eventArgument, openCliContext, runCli } from './cli-context';

/** `npm run verify -- --event <id>`: prints every difference between Redis, DynamoDB and MySQL; exit 1 if any. */
runCli(async () => {
  const eventId = eventArgument(process.argv);
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

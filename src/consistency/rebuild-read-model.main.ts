import { eventArgument, openCliContext, runCli } from './cli-context';

/** `npm run rebuild:read-model -- --event <id>`: replays the event's DynamoDB tickets into MySQL. Safe twice. */
runCli(async () => {
  const eventId = eventArgument(process.argv);
  const context = await openCliContext();
  try {
    const started = Date.now();
    const result = await context.consistency.rebuildReadModel(eventId, (m) => console.log(`  ${m}`));
    console.log(
      `rebuilt the read model of ${eventId}: ${result.reserved} live, ${result.cancelled} cancelled in ${Date.now() - started} ms`,
    );
    return 0;
  } finally {
    await context.close();
  }
});

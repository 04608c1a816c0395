import { connect } from 'amqplib';
import { topologyFor } from '../platform/amqp/topology';
import { outboxBacklog } from '../purchasing/outbox/outbox-backlog';
import { eventArgument, openCliContext, runCli } from './cli-context';
import { deadLettersRefusal, writeStoreDeadLetters } from '../seat-recovery/dead-letters';

/**
 * `npm run rebuild:seats -- --event <id> [--force]`: rebuilds the event's MISSING Redis seat maps (and its
 * event record) from the live tickets in DynamoDB; zones that have a map are left alone. The worker does this
 * by itself (SeatMapRebuilder); this is the operator's tool for a platform without a running worker. Refuses
 * while the outbox, the write-store queue or its dead-letter queue still holds tickets, since those are not in
 * DynamoDB (yet) and their seats would be sold again (--force
 * overrides; a batch a worker is writing at this very moment is not visible to either check, so run it a few
 * seconds after both are empty, or stop the workers first). Safe to run twice.
 */
runCli(async () => {
  const eventId = eventArgument(process.argv);
  const context = await openCliContext();
  try {
    if (!process.argv.includes('--force')) {
      const backlog = await outboxBacklog(context.redis);
      if (backlog > 0) {
        console.error(`the outbox still holds ${backlog} ticket(s): wait for it to drain, or pass --force`);
        return 1;
      }
      // Tickets on their way to the event store would come back as free seats.
      const connection = await connect(context.config.AMQP_URL);
      try {
        const queue = topologyFor(context.config.AMQP_NAMESPACE).pipelines.writeStore;
        const channel = await connection.createChannel();
        const { messageCount } = await channel.checkQueue(queue);
        if (messageCount > 0) {
          console.error(
            `${queue} still holds ${messageCount} message(s): wait for the worker to drain it, or pass --force`,
          );
          return 1;
        }
        const deadLetters = await writeStoreDeadLetters(channel, context.config.AMQP_NAMESPACE);
        if (deadLetters.count > 0) {
          console.error(`rebuild refused: ${deadLettersRefusal(deadLetters)} (or pass --force)`);
          return 1;
        }
      } finally {
        await connection.close();
      }
    }
    const event = await context.readModelEvent(eventId);
    const started = Date.now();
    const { taken, rebuiltZones } = await context.consistency.rebuildSeats(
      eventId,
      (m) => console.log(`  ${m}`),
      event,
    );
    console.log(
      `rebuilt ${rebuiltZones} missing zone(s) of ${eventId}: ${taken} seats taken, in ${Date.now() - started} ms`,
    );
    return 0;
  } finally {
    await context.close();
  }
});

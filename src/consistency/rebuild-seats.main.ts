import { topologyFor } from '../platform/amqp/topology';
import { AMQP_CONNECTION_NAMES, openAmqpConnection } from '../platform/amqp/amqp-connection.factory';
import { outboxBacklog } from '../purchasing/outbox/outbox-backlog';
import { reach } from '../platform/startup-failure';
import { openCliContext, runCli } from './cli-context';
import { EVENT_OPTION, readCliOptions } from '../platform/cli/cli-options';
import { progressBar } from '../platform/cli/progress-bar';
import { deadLettersRefusal, writeStoreDeadLetters } from '../seat-recovery/dead-letters';

const { event: eventId, force } = readCliOptions({
  usage: 'npm run rebuild:seats -- --event <eventId> [--force]',
  about:
    "Rebuilds the event's MISSING Redis seat maps (and its event record) from the live tickets in DynamoDB;\n" +
    'zones that have a map are left alone. The worker does this by itself (SeatMapRebuilder); this is the\n' +
    "operator's tool for a platform without a running worker. Safe to run twice.",
  options: {
    event: EVENT_OPTION,
    force: {
      type: 'boolean',
      help: 'rebuild even while the outbox, the write-store queue or its dead-letter queue holds tickets',
    },
  },
  examples: ['npm run rebuild:seats -- --event Event1'],
  // Tickets not in DynamoDB yet would come back as free seats and be sold again.
  notes:
    'Refuses while the outbox, the write-store queue or its dead-letter queue still holds tickets: those are not\n' +
    'in DynamoDB yet. A batch a worker is writing at this very moment is visible to neither check: run it a few\n' +
    'seconds after both are empty, or stop the workers first.',
});

runCli(async () => {
  const context = await openCliContext();
  const bar = progressBar();
  try {
    if (!force) {
      const backlog = await outboxBacklog(context.redis);
      if (backlog > 0) {
        console.error(`the outbox still holds ${backlog} ticket(s): wait for it to drain, or pass --force`);
        return 1;
      }
      // Tickets on their way to the event store would come back as free seats.
      const { AMQP_URL } = context.config;
      const connection = await reach('AMQP_URL', AMQP_URL, () =>
        openAmqpConnection(AMQP_URL, AMQP_CONNECTION_NAMES.rebuildSeats),
      );
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
    const { taken, rebuiltZones } = await context.consistency.rebuildSeats(eventId, bar.progress, event);
    bar.stop();
    console.log(
      `rebuilt ${rebuiltZones} missing zone(s) of ${eventId}: ${taken} seats taken, in ${Date.now() - started} ms`,
    );
    return 0;
  } finally {
    bar.stop();
    await context.close();
  }
});

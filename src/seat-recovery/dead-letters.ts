import type { Channel } from 'amqplib';
import { deadLetterQueueOf, topologyFor } from '../platform/amqp/topology';

/**
 * Messages waiting in the write-store dead-letter queue. Any of them may be a ticket that never reached the
 * event store, so a seat-map rebuild would sell its seat again: the rebuild refuses while there is one.
 *
 * Any message, not only tickets of the event being rebuilt: telling them apart means taking each one off the
 * queue and returning it, and on RabbitMQ 4 every return counts towards the quorum queue's default delivery
 * limit (20), past which a dead-letter queue without a dead-letter exchange of its own drops the message.
 * A queue depth is one passive call that touches nothing. Rebuilds are rare (Redis lost data) and a dead
 * letter is rarer (only malformed messages are dead-lettered by the worker itself): an operator replays or
 * removes them, and the rebuild goes ahead.
 */
export async function writeStoreDeadLetters(channel: Channel, namespace: string): Promise<DeadLetterCount> {
  const queue = deadLetterQueueOf(topologyFor(namespace).pipelines.writeStore);
  return { queue, count: (await channel.checkQueue(queue)).messageCount };
}

export interface DeadLetterCount {
  readonly queue: string;
  readonly count: number;
}

/** One wording for the worker's log and the rebuild:seats tool. */
export const deadLettersRefusal = ({ queue, count }: DeadLetterCount): string =>
  `${queue} holds ${count} dead-lettered message(s): they may be tickets that never reached DynamoDB, whose ` +
  'seats a rebuild would sell again. Replay them with `npm run replay:dlq -- --pipeline write-store` ' +
  '(`--dry-run` lists them and their reasons first); the rebuild waits until that queue is empty';

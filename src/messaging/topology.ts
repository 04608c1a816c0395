import type { Channel } from 'amqplib';

/**
 * The RabbitMQ topology, declared here only and asserted at start-up by both processes (assertions are
 * idempotent; a mismatch fails the start instead of silently routing nowhere).
 *
 *   tickets (fanout) ──► tickets.write-store ──(rejected)──► tickets.dlx ──► tickets.write-store.dlq
 *                    └─► tickets.read-model  ──(rejected)──► tickets.dlx ──► tickets.read-model.dlq
 *
 * Quorum queues: replicated when the broker is a cluster, and their delivery limit sends a message that
 * keeps crashing its consumer to the dead-letter queue instead of looping forever.
 */
export const TICKETS_EXCHANGE = 'tickets';
export const DEAD_LETTER_EXCHANGE = 'tickets.dlx';

export const PIPELINES = {
  writeStore: 'tickets.write-store',
  readModel: 'tickets.read-model',
} as const;

export type PipelineQueue = (typeof PIPELINES)[keyof typeof PIPELINES];

export const deadLetterQueueOf = (queue: PipelineQueue): string => `${queue}.dlq`;

/** Redeliveries (consumer crashes, nacks with requeue) before the broker dead-letters a message. */
export const DELIVERY_LIMIT = 20;

export function pipelineQueueArguments(queue: PipelineQueue): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    'x-dead-letter-routing-key': queue,
    'x-delivery-limit': DELIVERY_LIMIT,
  };
}

export async function assertTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(TICKETS_EXCHANGE, 'fanout', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  for (const queue of Object.values(PIPELINES)) {
    await channel.assertQueue(queue, { durable: true, arguments: pipelineQueueArguments(queue) });
    await channel.bindQueue(queue, TICKETS_EXCHANGE, '');
    const dlq = deadLetterQueueOf(queue);
    await channel.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(dlq, DEAD_LETTER_EXCHANGE, queue);
  }
}

import type { Channel } from 'amqplib';

/**
 * The RabbitMQ topology, declared here only and asserted at start-up by both processes (assertions are
 * idempotent; a mismatch fails the start instead of silently routing nowhere). Every name lives under a
 * namespace (AMQP_NAMESPACE, default `tickets`), so deployments sharing a broker — a developer's running
 * stack and the test suite, two test files — never consume each other's messages.
 *
 *   <ns> (fanout) ──► <ns>.write-store ──(dead letters)──► <ns>.dlx ──► <ns>.write-store.dlq
 *                └─► <ns>.read-model  ──(dead letters)──► <ns>.dlx ──► <ns>.read-model.dlq
 *
 * Quorum queues: replicated when the broker is a cluster, and their delivery limit sends a message that
 * keeps crashing its consumer to the dead-letter queue instead of looping forever.
 */
export interface Topology {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly pipelines: { readonly writeStore: string; readonly readModel: string };
}

export function topologyFor(namespace: string): Topology {
  return {
    exchange: namespace,
    deadLetterExchange: `${namespace}.dlx`,
    pipelines: { writeStore: `${namespace}.write-store`, readModel: `${namespace}.read-model` },
  };
}

export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;

/** Redeliveries (consumer crashes, nacks with requeue) before the broker dead-letters a message. */
export const DELIVERY_LIMIT = 20;

function pipelineQueueArguments(topology: Topology, queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': topology.deadLetterExchange,
    'x-dead-letter-routing-key': queue,
    'x-delivery-limit': DELIVERY_LIMIT,
  };
}

export async function assertTopology(channel: Channel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.exchange, 'fanout', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'direct', { durable: true });
  for (const queue of Object.values(topology.pipelines)) {
    await channel.assertQueue(queue, { durable: true, arguments: pipelineQueueArguments(topology, queue) });
    await channel.bindQueue(queue, topology.exchange, '');
    const dlq = deadLetterQueueOf(queue);
    await channel.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(dlq, topology.deadLetterExchange, queue);
  }
}

/** Removes a namespace's exchanges and queues (tests clean up their own namespace with it). */
export async function deleteTopology(channel: Channel, topology: Topology): Promise<void> {
  for (const queue of Object.values(topology.pipelines)) {
    await channel.deleteQueue(queue);
    await channel.deleteQueue(deadLetterQueueOf(queue));
  }
  await channel.deleteExchange(topology.exchange);
  await channel.deleteExchange(topology.deadLetterExchange);
}

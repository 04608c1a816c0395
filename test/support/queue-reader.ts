import { connect, type Channel, type ChannelModel } from 'amqplib';
import { assertTopology } from '../../src/platform/amqp/topology';
import { testTopology } from './test-config';
import type { TicketMessage } from '../../src/platform/amqp/ticket-message';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { sleep } from './time';

/** Consumes a pipeline queue the way a worker would and records what arrived for one event (or several). */
export class QueueReader {
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;
  readonly received: TicketReservedData[] = [];
  /** TicketRefunded items, and `<pattern>:<ticketId>` of every item of this event in arrival order. */
  readonly refunds: TicketReservedData[] = [];
  readonly arrivals: string[] = [];
  private readonly eventIds: Set<string>;

  constructor(
    private readonly url: string,
    private readonly queue: string,
    eventId: string | readonly string[],
  ) {
    this.eventIds = new Set(typeof eventId === 'string' ? [eventId] : eventId);
  }

  async start(): Promise<this> {
    this.connection = await connect(this.url);
    this.channel = await this.connection.createChannel();
    await assertTopology(this.channel, testTopology());
    await this.channel.prefetch(1000);
    await this.channel.consume(this.queue, (message) => {
      if (message === null) return;
      // Other tests' messages (even malformed ones) may share the queue: only this event's tickets count.
      try {
        const envelope = JSON.parse(message.content.toString()) as TicketMessage<TicketReservedData>;
        const into = { TicketReserved: this.received, TicketRefunded: this.refunds }[envelope.pattern];
        if (into !== undefined && Array.isArray(envelope.data)) {
          for (const ticket of envelope.data) {
            if (!this.eventIds.has(ticket?.eventId)) continue;
            into.push(ticket);
            this.arrivals.push(`${envelope.pattern}:${ticket.ticketId}`);
          }
        }
      } catch {
        // not ours
      }
      this.channel!.ack(message);
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

import { Logger } from '@nestjs/common';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { withTimeout } from '../time';
import { assertTopology, type Topology } from './topology';
import { openAmqpConnection, DEFAULT_CONNECT_TIMEOUT_MS, type AmqpConnectionName } from './amqp-connection.factory';

export interface OutgoingMessage {
  /** Becomes the AMQP message id: consumers deduplicate redeliveries with it. */
  messageId: string;
  body: string;
  type: string;
}

/**
 * Publishes to the `tickets` exchange on a confirm channel. Plain amqplib rather than the Nest client:
 * the relay needs batches confirmed together, `mandatory` (an unroutable message is an error, not a
 * silent drop) and to see a broken connection as a failed batch it can retry.
 */
export class AmqpPublisher {
  private readonly logger = new Logger(AmqpPublisher.name);
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private connecting: Promise<ConfirmChannel> | undefined;
  private returned: Error | undefined;

  constructor(
    private readonly url: string,
    private readonly topology: Topology,
    private readonly connectionName: AmqpConnectionName,
    private readonly connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
    private readonly confirmTimeoutMs = 10_000,
  ) {}

  /** Publishes every message and resolves once the broker has confirmed all of them. */
  async publishBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    const channel = await this.ensureChannel();
    this.returned = undefined;
    for (const message of messages) {
      channel.publish(this.topology.exchange, '', Buffer.from(message.body), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: message.messageId,
        type: message.type,
      });
    }
    try {
      await withTimeout(channel.waitForConfirms(), this.confirmTimeoutMs, 'broker confirms');
    } catch (error) {
      // A half-open connection (a broker behind a dead link) would otherwise hold the batch forever.
      await this.close();
      throw error;
    }
    if (this.returned !== undefined) throw this.returned;
  }

  /** True while a confirm channel is open (it may still be on a link that has just died). */
  isConnected(): boolean {
    return this.channel !== undefined;
  }

  /** Connects and asserts the topology now rather than on the first batch. */
  async connect(): Promise<void> {
    await this.ensureChannel();
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.reset();
    await connection?.close().catch(() => undefined);
  }

  private async ensureChannel(): Promise<ConfirmChannel> {
    if (this.channel !== undefined) return this.channel;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<ConfirmChannel> {
    const connection = await openAmqpConnection(this.url, this.connectionName, this.connectTimeoutMs);
    connection.on('close', () => this.reset());
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => this.logger.warn(`broker channel error: ${error.message}`));
      channel.on('close', () => this.reset());
      channel.on('return', (message: { properties: { messageId?: string } }) => {
        this.returned = new Error(`message ${message.properties.messageId ?? '?'} was unroutable`);
      });
      await assertTopology(channel, this.topology);
      this.connection = connection;
      this.channel = channel;
      return channel;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  private reset(): void {
    this.channel = undefined;
    this.connection = undefined;
  }
}

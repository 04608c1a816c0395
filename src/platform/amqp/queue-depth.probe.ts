import type { Channel, ChannelModel } from 'amqplib';
import { withTimeout } from '../time';
import { openAmqpConnection, type AmqpConnectionName } from './amqp-connection.factory';

/**
 * Reads queue depths (`checkQueue`) on a connection of its own: a check of a missing queue closes its channel,
 * which must never be a consumer's. Connected on first use and again after any failure; every call is
 * bounded by `timeoutMs`.
 */
export class QueueDepthProbe {
  private channel: Promise<Channel> | undefined;
  private connection: ChannelModel | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly connectionName: AmqpConnectionName,
    private readonly timeoutMs = 1000,
  ) {}

  /** Messages ready in the queue (not those delivered and unacknowledged). */
  async depth(queue: string): Promise<number> {
    return (await this.check(queue)).messageCount;
  }

  /** Messages ready and consumers attached (0 consumers on a pipeline queue: no worker is draining it). */
  async check(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
    const channel = await withTimeout(this.open(), this.timeoutMs, 'broker connection');
    const { messageCount, consumerCount } = await withTimeout(
      channel.checkQueue(queue),
      this.timeoutMs,
      `depth of ${queue}`,
    );
    return { messageCount, consumerCount };
  }

  /**
   * Closes the connection, and one still being opened: a connect in flight at shutdown would otherwise
   * complete afterwards and hold the process open.
   */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    const opening = this.channel;
    this.channel = undefined;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
    await opening?.catch(() => undefined);
  }

  private open(): Promise<Channel> {
    this.channel ??= this.connect().catch((error: unknown) => {
      this.channel = undefined;
      throw error;
    });
    return this.channel;
  }

  private async connect(): Promise<Channel> {
    const connection = await openAmqpConnection(this.url, this.connectionName, this.timeoutMs);
    if (this.closed) {
      await connection.close().catch(() => undefined);
      throw new Error('queue-depth probe closed');
    }
    this.connection = connection;
    const forget = () => {
      if (this.connection !== connection) return;
      this.channel = undefined;
      this.connection = undefined;
      void connection.close().catch(() => undefined);
    };
    connection.on('close', forget);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined); // a missing queue: followed by 'close'
      channel.on('close', forget);
      return channel;
    } catch (error) {
      forget();
      throw error;
    }
  }
}

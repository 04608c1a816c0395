import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { sleep } from '../time';
import { assertTopology, type Topology } from './topology';
import type { TicketMessage } from './ticket-message';
import { reach } from '../startup-failure';
import { openAmqpConnection, reconnectDelayMs, type AmqpConnectionName } from './amqp-connection.factory';
import type { PipelineItemResult } from './pipeline-item-result';

export interface PipelineServerOptions {
  url: string;
  /** The name the broker shows for this consumer's connection (AMQP_CONNECTION_NAMES). */
  connectionName: AmqpConnectionName;
  topology: Topology;
  queue: string;
  transportId: symbol;
  prefetch: number;
  batchSize: number;
  lingerMs: number;
  /** Attempts at a whole batch before a failing batch is retried message by message. */
  maxAttempts: number;
  /** Cap of the backoff between retries of a failing batch; default MAX_RETRY_DELAY_MS. */
  maxRetryDelayMs?: number;
  /** A message over this many bytes is dead-lettered unparsed (`OVERSIZED`); default DEFAULT_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  /** Told of messages consumed, acknowledged after handling, and dead-lettered: the metrics' hook. */
  onMessages?: (result: PipelineMessageResult, count: number) => void;
  /** Told of each retry of a failing batch (or message), with the error's code or name: the metrics' hook. */
  onRetry?: (reason: string) => void;
}

export type PipelineMessageResult = 'consumed' | 'acked' | 'dead_lettered';

interface Pending {
  message: ConsumeMessage;
  pattern: string;
  /** Items a handler refused; only these are dead-lettered. */
  rejected: { data: unknown; reason: string }[];
}

interface Item {
  pattern: string;
  data: unknown;
  owner: Pending;
}

/** Longest wait between two retries of a failing batch: a store back from an outage is used within this. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The relay packs at most OUTBOX_TICKETS_PER_MESSAGE (≤ 1000) events of under 300 bytes each: 1 MiB is about
 * four times the largest message it can send, and bounds what one message can make the worker parse and hold.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * A @nestjs/microservices transport for one pipeline queue: handlers are ordinary
 * `@EventPattern(pattern, transportId)` methods receiving a whole batch (`data: T[]`), and this server
 * owns what the stock RMQ transport does not give: batches across messages, acknowledgement only after
 * the handler's write is durable, retries with backoff, and dead-lettering with the reason in headers.
 *
 * - A message is acknowledged once every item it carried was handled.
 * - Only what is wrong with the message itself dead-letters it: malformed messages (not JSON, wrong
 *   envelope, unknown pattern) and oversized ones (over `maxMessageBytes`, unparsed) at once, and the items
 *   a handler refuses (a schema violation). A seat already sold is an outcome the handler acknowledges.
 * - A handler that throws fails its batch, whatever the error (a store unreachable, throttled, refusing
 *   expired credentials, read-only after a failover, shutting down): the batch is retried with backoff
 *   capped at `maxRetryDelayMs` until it succeeds, never dead-lettered (see `process`). A dead-lettered
 *   ticket would be missing from the event store, and a seat-map rebuild would sell its seat again.
 */
export class AmqpPipelineServer extends Server implements CustomTransportStrategy {
  private readonly log: Logger;
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private buffer: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closing = false;
  private reconnecting = false;
  /** Ends the backoff of a retry in progress. */
  private wake: (() => void) | undefined;
  /** Messages delivered and not yet acknowledged, with their delivery number, oldest first (Map keeps order). */
  private readonly unsettled = new Map<ConsumeMessage, number>();
  private delivered = 0;
  private consumerEpoch = 0;
  handled = 0;
  deadLettered = 0;

  get queue(): string {
    return this.options.queue;
  }

  get consuming(): boolean {
    return this.channel !== undefined && !this.closing;
  }

  /**
   * What a drain barrier needs to know (see WriteStoreDrainReporter): how many messages this server has
   * received, the delivery number of the oldest one not yet acknowledged (none: Infinity), and the consumer's
   * epoch, which changes whenever the channel is replaced, since its unacknowledged messages then go back
   * to the queue.
   */
  get settlement(): { delivered: number; oldestUnsettled: number; epoch: number } {
    const oldest = this.unsettled.values().next();
    return {
      delivered: this.delivered,
      oldestUnsettled: oldest.done ? Infinity : oldest.value,
      epoch: this.consumerEpoch,
    };
  }

  constructor(private readonly options: PipelineServerOptions) {
    super();
    this.transportId = options.transportId;
    this.log = new Logger(`Pipeline ${options.queue}`);
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking messages, finishes and acknowledges the batch in hand, then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    if (this.channel && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    await this.flushNow();
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.channel = undefined;
  }

  on(): void {
    // Connection events are handled internally.
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  private async start(): Promise<void> {
    const { url, connectionName } = this.options;
    const connection = await reach('AMQP_URL', url, () => openAmqpConnection(url, connectionName));
    const channel = await connection.createConfirmChannel();
    await assertTopology(channel, this.options.topology);
    await channel.prefetch(this.options.prefetch);
    const recover = () => void this.recover();
    connection.on('close', recover);
    channel.on('error', (error: Error) => this.log.warn(`broker channel error: ${error.message}`));
    this.connection = connection;
    this.channel = channel;
    this.consumerEpoch++;
    const { consumerTag } = await channel.consume(this.options.queue, (message) => this.onMessage(message), {
      noAck: false,
    });
    this.consumerTag = consumerTag;
  }

  /** Unacknowledged messages return to the queue when the connection drops; reconnect and carry on. */
  private async recover(): Promise<void> {
    if (this.closing || this.reconnecting) return;
    this.reconnecting = true;
    // Why it was lost is logged by the connection factory.
    this.log.warn('broker connection lost; reconnecting');
    // The messages of the lost channel will be redelivered; their acks can no longer be sent.
    this.buffer = [];
    this.channel = undefined;
    this.wake?.();
    this.unsettled.clear();
    this.consumerEpoch++;
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        await this.start();
        this.log.log('broker connection restored');
        break;
      } catch {
        await sleep(reconnectDelayMs(attempt));
      }
    }
    this.reconnecting = false;
  }

  private onMessage(message: ConsumeMessage | null): void {
    if (message === null) return; // consumer cancelled by the broker (queue deleted): recover() follows
    this.options.onMessages?.('consumed', 1);
    this.unsettled.set(message, ++this.delivered);
    const bytes = message.content.length;
    if (bytes > (this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)) {
      void this.deadLetter([{ message, content: message.content, reason: `OVERSIZED: ${bytes} bytes` }], 0);
      return;
    }
    let envelope: TicketMessage;
    try {
      envelope = JSON.parse(message.content.toString('utf8')) as TicketMessage;
    } catch {
      void this.deadLetter([{ message, content: message.content, reason: 'MALFORMED: body is not JSON' }], 0);
      return;
    }
    if (typeof envelope?.pattern !== 'string' || !Array.isArray(envelope.data) || envelope.data.length === 0) {
      const reason = 'MALFORMED: expected {pattern: string, data: non-empty array}';
      void this.deadLetter([{ message, content: message.content, reason }], 0);
      return;
    }
    if (this.getHandlerByPattern(envelope.pattern) === null) {
      const reason = `UNKNOWN_PATTERN: no handler for ${envelope.pattern}`;
      void this.deadLetter([{ message, content: message.content, reason }], 0);
      return;
    }
    const owner: Pending = { message, pattern: envelope.pattern, rejected: [] };
    for (const data of envelope.data) this.buffer.push({ pattern: envelope.pattern, data, owner });
    if (this.buffer.length >= this.options.batchSize) void this.flushNow();
    else this.timer ??= setTimeout(() => void this.flushNow(), this.options.lingerMs);
  }

  /** Batches are written one at a time per pipeline, in arrival order. */
  private flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    const channel = this.channel;
    this.flushing = this.flushing.then(() => (batch.length > 0 && channel ? this.process(batch, channel) : undefined));
    return this.flushing;
  }

  /**
   * Handles the batch until every message in it is settled. A handler that throws has hit an error that is
   * not the item's fault (the item's own faults, a schema violation or a seat already sold, come back as
   * results, not errors): the batch is retried in this process with backoff, for as long as it takes, and
   * never dead-lettered. After `maxAttempts` attempts it is retried message by message, so the messages that
   * succeed on their own are acknowledged and only the failing ones wait.
   *
   * Retrying here rather than nacking with requeue: every return of a message to its quorum queue counts
   * towards the queue's delivery limit (DELIVERY_LIMIT), past which the broker dead-letters it. A retry only
   * stops when the worker closes or its channel is lost; the broker then redelivers the message.
   */
  private async process(batch: Item[], channel: ConfirmChannel): Promise<void> {
    let groups = [batch];
    for (let attempt = 1; ; attempt++) {
      const failed: Item[][] = [];
      let error: unknown;
      for (const group of groups) {
        try {
          await this.handle(group, attempt);
        } catch (failure) {
          failed.push(group);
          error = failure;
          continue;
        }
        await this.settle(group, channel);
      }
      if (failed.length === 0 || this.closing || this.channel !== channel) return;
      const reason = retryReason(error);
      for (let i = 0; i < failed.length; i++) this.options.onRetry?.(reason);
      if (attempt === 1 || attempt % 10 === 0) {
        const items = failed.reduce((n, group) => n + group.length, 0);
        this.log.warn(`${items} item(s) not handled (attempt ${attempt}, retrying): ${describe(error)}`);
      }
      await this.pause(Math.min(100 * 2 ** Math.min(attempt, 10), this.options.maxRetryDelayMs ?? MAX_RETRY_DELAY_MS));
      if (this.closing || this.channel !== channel) return;
      groups = attempt === this.options.maxAttempts && failed.length === 1 ? splitByMessage(failed[0]!) : failed;
    }
  }

  /** Waits before a retry; close() and a lost channel end the wait at once. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wake = undefined));
  }

  /** Dead-letters the items the handlers refused, and acknowledges every other message of the group. */
  private async settle(group: Item[], channel: ConfirmChannel): Promise<void> {
    if (this.channel !== channel) return; // the channel died meanwhile: the broker redelivers everything
    const owners = [...new Set(group.map((item) => item.owner))];
    const rejected = owners.filter((owner) => owner.rejected.length > 0);
    if (rejected.length > 0) {
      await this.deadLetter(
        rejected.map((o) => ({
          message: o.message,
          content: Buffer.from(JSON.stringify({ pattern: o.pattern, data: o.rejected.map((r) => r.data) })),
          reason: o.rejected[0]!.reason,
        })),
        1,
      );
    }
    let acked = 0;
    for (const owner of owners)
      if (owner.rejected.length === 0) {
        channel.ack(owner.message);
        this.unsettled.delete(owner.message);
        acked++;
      }
    this.handled += group.length;
    if (acked > 0) this.options.onMessages?.('acked', acked);
  }

  /** One attempt: the items through their handlers, by pattern; per-item rejections are recorded on their message. */
  private async handle(group: Item[], attempt: number): Promise<void> {
    for (const item of group) item.owner.rejected = []; // a failed attempt may have recorded some
    for (const [pattern, items] of groupByPattern(group)) {
      const handler = this.getHandlerByPattern(pattern)!;
      // No handler reads it (no @Ctx()), but Nest's handler signature takes one.
      const context = new BaseRpcContext([this.options.queue, attempt]);
      const results = (await lastValueFrom(
        this.transformToObservable(
          await handler(
            items.map((i) => i.data),
            context,
          ),
        ),
      )) as PipelineItemResult[] | undefined;
      items.forEach((item, i) => {
        const result = results?.[i];
        if (result && !result.ok) item.owner.rejected.push({ data: item.data, reason: `REJECTED: ${result.reason}` });
      });
    }
  }

  /** Publishes to the dead-letter queue with the reason in headers, then acknowledges the originals. */
  private async deadLetter(
    letters: { message: ConsumeMessage; content: Buffer; reason: string }[],
    attempts: number,
  ): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    for (const { message, content, reason } of letters) {
      channel.publish(this.options.topology.deadLetterExchange, this.options.queue, content, {
        ...message.properties,
        persistent: true,
        headers: {
          ...message.properties.headers,
          'x-failure-reason': reason.slice(0, 1000),
          'x-attempts': attempts,
          'x-original-queue': this.options.queue,
          'x-failed-at': new Date().toISOString(),
        },
      });
    }
    try {
      await channel.waitForConfirms();
      for (const { message } of letters) {
        channel.ack(message);
        this.unsettled.delete(message);
      }
      this.deadLettered += letters.length;
      this.options.onMessages?.('dead_lettered', letters.length);
      this.log.warn(`${letters.length} message(s) dead-lettered: ${letters[0]!.reason}`);
    } catch (error) {
      // Not confirmed: leave them unacknowledged; the broker redelivers them to be tried again.
      this.log.warn(`dead-lettering failed: ${(error as Error).message}`);
    }
  }
}

function splitByMessage(batch: Item[]): Item[][] {
  const groups = new Map<Pending, Item[]>();
  for (const item of batch) {
    const group = groups.get(item.owner);
    if (group) group.push(item);
    else groups.set(item.owner, [item]);
  }
  return [...groups.values()];
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The `reason` label of a retry: the error's code (`ECONNREFUSED`, `ER_OPTION_PREVENTS_STATEMENT`) or else its
 * name (`AccessDeniedException`, `TimeoutError`), never its message, so the label's values stay few.
 */
export function retryReason(error: unknown): string {
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    name?: unknown;
  };
  const label = typeof code === 'string' && code !== '' ? code : typeof name === 'string' ? name : 'unknown';
  return label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'unknown';
}

function groupByPattern(batch: Item[]): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of batch) {
    const group = groups.get(item.pattern);
    if (group) group.push(item);
    else groups.set(item.pattern, [item]);
  }
  return groups;
}

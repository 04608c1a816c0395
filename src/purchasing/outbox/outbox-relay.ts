import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { AmqpPublisher, type OutgoingMessage } from '../../platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../../platform/amqp/ticket-message';
import { isCluster, REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import { sleep } from '../../platform/time';
import { unreachable } from '../../platform/startup-failure';
import { TicketRefundedEvent } from '../ticket-refunded.event';
import { TicketReservedEvent } from '../ticket-reserved.event';
import { allOutboxKeys, OUTBOX_REFUND_FIELD } from '../seat-map/seat-map.keys';
import { outboxBacklog } from './outbox-backlog';
import { OUTBOX_GROUP, outboxScripts } from './outbox-scripts';

export { OUTBOX_GROUP } from './outbox-scripts';
export const AMQP_PUBLISHER = Symbol('AMQP_PUBLISHER');

type StreamEntry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: StreamEntry[]][];

/** On a cluster the relay polls (no blocking read spans slots): the pause after a round that found nothing. */
const CLUSTER_IDLE_POLL_MS = 50;

/**
 * Moves TicketReserved and TicketRefunded records from the Redis outbox streams to RabbitMQ (an entry's
 * field name tells its type, see OUTBOX_RESERVATION_FIELD). An entry is acknowledged and
 * deleted (one script call) only after the broker confirmed it, so a crash anywhere in between means a redelivery (consumers
 * deduplicate by message id), never a loss. Relays of several API processes share one consumer group; the
 * entries a crashed relay had read are taken over with XAUTOCLAIM once idle long enough.
 *
 * On a single Redis one blocking XREADGROUP covers all 64 streams. On a Redis Cluster each stream is its
 * own slot and a command may not span slots, so every stream is read with a command of its own (the
 * client routes each to the master that serves it) and the relay polls instead of blocking.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly keys = allOutboxKeys();
  private reader: RedisClient | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;
  /** After a failed batch, this relay's own pending entries are retried before anything new is read. */
  private retryOwnPending = false;
  private published = 0;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(AMQP_PUBLISHER) private readonly publisher: AmqpPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Asserting the topology up front surfaces a misconfigured broker at start-up; an unreachable one is
    // only a warning, since purchases keep being taken into the outbox meanwhile.
    await this.publisher
      .connect()
      .catch((error: unknown) =>
        this.logger.warn(
          `${unreachable('AMQP_URL', this.config.AMQP_URL, error).message}; purchases wait in the outbox`,
        ),
      );
    if (this.config.OUTBOX_RELAY_ENABLED) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.publisher.close();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // The relay reads on connections of its own (blocking reads, on a single Redis); they may queue
    // commands while reconnecting.
    this.reader = isCluster(this.redis)
      ? this.redis.duplicate(undefined, { enableOfflineQueue: true })
      : this.redis.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false, commandTimeout: undefined });
    this.loop = this.ensureGroups(this.reader)
      .catch(() => undefined)
      .then(() => this.run());
  }

  /** Stops after the batch in hand is published and acknowledged. */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    await this.loop;
    this.loop = undefined;
    if (wasRunning) await this.drain(5000);
    this.reader?.disconnect();
    this.reader = undefined;
  }

  /** Entries written but not yet confirmed by the broker, over every partition. */
  backlog(): Promise<number> {
    return outboxBacklog(this.redis);
  }

  get publishedCount(): number {
    return this.published;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (failures === 0 && Date.now() - this.lastClaimAt > this.config.OUTBOX_CLAIM_IDLE_MS / 2) {
          await this.claimAbandoned();
        }
        await this.relayOnce();
        failures = 0;
      } catch (error) {
        failures++;
        this.retryOwnPending = true;
        if (failures === 1 || failures % 20 === 0) {
          this.logger.warn(`outbox relay failed (${failures} in a row), will retry: ${(error as Error).message}`);
        }
        await sleep(Math.min(100 * 2 ** Math.min(failures, 5), 2000));
      }
    }
  }

  private async ensureGroups(reader: RedisClient): Promise<void> {
    // '0': a group created after entries were appended still relays them.
    await Promise.all(
      this.keys.map((key) =>
        reader.xgroup('CREATE', key, OUTBOX_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
          if (!error.message.includes('BUSYGROUP')) throw error;
        }),
      ),
    );
  }

  /**
   * At shutdown (the HTTP server has closed, so no purchase adds to the outbox any more): relays what is
   * left before the process exits. Whatever does not make it in time stays in the outbox for the next relay.
   */
  private async drain(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    try {
      while (Date.now() < deadline && (await this.relayOnce()) > 0);
    } catch (error) {
      this.logger.warn(`outbox not fully drained at shutdown, left for the next relay: ${(error as Error).message}`);
    }
  }

  /** Reads and relays one batch; returns how many entries it read. */
  private async relayOnce(): Promise<number> {
    const reader = this.reader!;
    const pendingOnly = this.retryOwnPending;
    const { reply, failure } = isCluster(reader)
      ? await this.readEachStream(reader, pendingOnly)
      : { reply: await this.readAllStreams(reader, pendingOnly), failure: undefined };
    const entries = reply?.reduce((sum, [, e]) => sum + e.length, 0) ?? 0;
    if (reply && entries > 0) await this.publishAndAck(reply);
    // What some streams returned is relayed; a stream that failed is retried, this consumer's pending first.
    if (failure !== undefined) throw failure;
    if (pendingOnly && entries === 0) this.retryOwnPending = false;
    if (isCluster(reader) && entries === 0 && this.running) await sleep(CLUSTER_IDLE_POLL_MS);
    return entries;
  }

  /** One XREADGROUP over every stream (one Redis): blocks up to 200 ms when there is nothing new. */
  private async readAllStreams(reader: RedisClient, pendingOnly: boolean): Promise<StreamReply | null> {
    // '0' re-reads the entries this consumer read but never acknowledged (no blocking); '>' reads new ones.
    const read = pendingOnly
      ? reader.xreadgroup(
          'GROUP',
          OUTBOX_GROUP,
          this.consumer,
          'COUNT',
          this.config.OUTBOX_BATCH_SIZE,
          'STREAMS',
          ...this.keys,
          ...this.keys.map(() => '0'),
        )
      : reader.xreadgroup(
          'GROUP',
          OUTBOX_GROUP,
          this.consumer,
          'COUNT',
          this.config.OUTBOX_BATCH_SIZE,
          'BLOCK',
          200,
          'STREAMS',
          ...this.keys,
          ...this.keys.map(() => '>'),
        );
    return (await read.catch(async (error: Error) => {
      if (!error.message.includes('NOGROUP')) throw error;
      await this.ensureGroups(reader);
      return null;
    })) as StreamReply | null;
  }

  /** One XREADGROUP per stream (a cluster: each stream is its own slot), sent together. */
  private async readEachStream(
    reader: RedisClient,
    pendingOnly: boolean,
  ): Promise<{ reply: StreamReply; failure: Error | undefined }> {
    const results = await Promise.allSettled(
      this.keys.map(
        (key) =>
          reader.xreadgroup(
            'GROUP',
            OUTBOX_GROUP,
            this.consumer,
            'COUNT',
            this.config.OUTBOX_BATCH_SIZE,
            'STREAMS',
            key,
            pendingOnly ? '0' : '>',
          ) as Promise<StreamReply | null>,
      ),
    );
    const reply: StreamReply = [];
    let failure: Error | undefined;
    for (const result of results) {
      if (result.status === 'fulfilled') reply.push(...(result.value ?? []));
      else failure ??= result.reason as Error;
    }
    if (failure?.message.includes('NOGROUP')) {
      await this.ensureGroups(reader);
      return { reply, failure: undefined };
    }
    return { reply, failure };
  }

  private async claimAbandoned(): Promise<void> {
    this.lastClaimAt = Date.now();
    const reader = this.reader!;
    for (const key of this.keys) {
      let cursor = '0-0';
      do {
        const claimed = (await reader
          .xautoclaim(
            key,
            OUTBOX_GROUP,
            this.consumer,
            this.config.OUTBOX_CLAIM_IDLE_MS,
            cursor,
            'COUNT',
            this.config.OUTBOX_BATCH_SIZE,
          )
          .catch((error: Error) => {
            if (error.message.includes('NOGROUP')) return ['0-0', []];
            throw error;
          })) as [string, StreamEntry[]];
        cursor = claimed[0];
        if (claimed[1].length > 0) await this.publishAndAck([[key, claimed[1]]]);
      } while (cursor !== '0-0' && this.running);
    }
  }

  private async publishAndAck(reply: StreamReply): Promise<void> {
    // Runs of one event type, in stream order: a message carries one type (its pattern), and a refund is
    // not sent ahead of the reservation it follows when both are in one read.
    const runs: { type: string; payloads: string[] }[] = [];
    let count = 0;
    for (const [, entries] of reply) {
      for (const [, fields] of entries) {
        // Entries deleted after being read come back without fields: nothing to send.
        const payload = fields?.[1];
        if (payload === undefined) continue;
        const type = fields[0] === OUTBOX_REFUND_FIELD ? TicketRefundedEvent.type : TicketReservedEvent.type;
        const last = runs[runs.length - 1];
        if (last?.type === type) last.payloads.push(payload);
        else runs.push({ type, payloads: [payload] });
        count++;
      }
    }
    const messages: OutgoingMessage[] = [];
    const perMessage = this.config.OUTBOX_TICKETS_PER_MESSAGE;
    for (const { type, payloads } of runs) {
      // Refund message ids differ from the reservation's: the same ticket heads both.
      const prefix = type === TicketReservedEvent.type ? '' : 'refunded:';
      for (let i = 0; i < payloads.length; i += perMessage) {
        const chunk = payloads.slice(i, i + perMessage);
        messages.push({
          // Deterministic: a batch re-published after a crash carries the same id.
          messageId: `${prefix}${ticketIdOf(chunk[0]!)}+${chunk.length}`,
          body: ticketMessageJson(type, chunk),
          type,
        });
      }
    }
    if (messages.length > 0) await this.publisher.publishBatch(messages);
    const scripts = outboxScripts(this.reader!);
    // Per stream (one slot each), all sent together; acknowledged and deleted in one script call, so no
    // entry is ever acknowledged yet left in the stream. Unacknowledged entries stay pending and are claimed
    // again: a duplicate at worst, never a loss.
    await Promise.all(
      reply
        .filter(([, entries]) => entries.length > 0)
        .map(([key, entries]) => scripts.ackOutbox(key, OUTBOX_GROUP, ...entries.map(([id]) => id))),
    );
    this.published += count;
  }
}

/** The ticket id sits at a fixed place in the payload the purchase handler serialized. */
function ticketIdOf(payload: string): string {
  const match = /"ticketId":"([^"]+)"/.exec(payload);
  return match?.[1] ?? '';
}

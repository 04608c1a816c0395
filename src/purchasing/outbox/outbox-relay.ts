import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AmqpPublisher, type OutgoingMessage } from '../../messaging/amqp-publisher';
import { ticketMessageJson } from '../../messaging/ticket-message';
import { REDIS } from '../../redis/redis.factory';
import { TicketReservedEvent } from '../ticket-reserved.event';
import { allOutboxKeys } from '../seat-map/seat-map.keys';

export const OUTBOX_GROUP = 'relay';
export const AMQP_PUBLISHER = Symbol('AMQP_PUBLISHER');

type StreamEntry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: StreamEntry[]][];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves TicketReserved records from the Redis outbox streams to RabbitMQ. An entry is acknowledged and
 * deleted only after the broker confirmed it, so a crash anywhere in between means a redelivery (consumers
 * deduplicate by message id), never a loss. Relays of several API processes share one consumer group; the
 * entries a crashed relay had read are taken over with XAUTOCLAIM once idle long enough.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly keys = allOutboxKeys();
  private reader: Redis | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;
  /** After a failed batch, this relay's own pending entries are retried before anything new is read. */
  private retryOwnPending = false;
  private published = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AMQP_PUBLISHER) private readonly publisher: AmqpPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Asserting the topology up front surfaces a misconfigured broker at start-up; an unreachable one is
    // only a warning, since purchases keep being taken into the outbox meanwhile.
    await this.publisher
      .connect()
      .catch((error: Error) => this.logger.warn(`broker not reachable yet: ${error.message}`));
    if (this.config.OUTBOX_RELAY_ENABLED) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.publisher.close();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Blocking reads need a connection of their own; this one may queue commands while reconnecting.
    this.reader = this.redis.duplicate({
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      commandTimeout: undefined,
    });
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
  async backlog(): Promise<number> {
    const pipeline = this.redis.pipeline();
    for (const key of this.keys) pipeline.xlen(key);
    const replies = (await pipeline.exec()) ?? [];
    // An unreadable stream fails the figure rather than silently counting as empty.
    return replies.reduce((sum, [error, length]) => {
      if (error) throw error;
      return sum + Number(length);
    }, 0);
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

  private async ensureGroups(reader: Redis): Promise<void> {
    const pipeline = reader.pipeline();
    // '0': a group created after entries were appended still relays them.
    for (const key of this.keys) pipeline.xgroup('CREATE', key, OUTBOX_GROUP, '0', 'MKSTREAM');
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) {
      if (error && !String(error.message).includes('BUSYGROUP')) throw error;
    }
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
    const reply = (await read.catch(async (error: Error) => {
      if (!error.message.includes('NOGROUP')) throw error;
      await this.ensureGroups(reader);
      return null;
    })) as StreamReply | null;
    const entries = reply?.reduce((sum, [, e]) => sum + e.length, 0) ?? 0;
    if (pendingOnly && entries === 0) this.retryOwnPending = false;
    if (reply && entries > 0) await this.publishAndAck(reply);
    return entries;
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
    const payloads: string[] = [];
    for (const [, entries] of reply) {
      for (const [, fields] of entries) {
        // Entries deleted after being read come back without fields: nothing to send.
        const payload = fields?.[1];
        if (payload !== undefined) payloads.push(payload);
      }
    }
    const messages: OutgoingMessage[] = [];
    const perMessage = this.config.OUTBOX_TICKETS_PER_MESSAGE;
    for (let i = 0; i < payloads.length; i += perMessage) {
      const chunk = payloads.slice(i, i + perMessage);
      messages.push({
        // Deterministic: a batch re-published after a crash carries the same id.
        messageId: `${ticketIdOf(chunk[0]!)}+${chunk.length}`,
        body: ticketMessageJson(TicketReservedEvent.type, chunk),
        type: TicketReservedEvent.type,
      });
    }
    if (messages.length > 0) await this.publisher.publishBatch(messages);
    const pipeline = this.reader!.pipeline();
    for (const [key, entries] of reply) {
      if (entries.length === 0) continue;
      const ids = entries.map(([id]) => id);
      pipeline.xack(key, OUTBOX_GROUP, ...ids);
      pipeline.xdel(key, ...ids);
    }
    for (const [error] of (await pipeline.exec()) ?? []) {
      // Unacknowledged entries stay pending and are claimed again: a duplicate at worst, never a loss.
      if (error) throw error;
    }
    this.published += payloads.length;
  }
}

/** The ticket id sits at a fixed place in the payload the purchase handler serialized. */
function ticketIdOf(payload: string): string {
  const match = /"ticketId":"([^"]+)"/.exec(payload);
  return match?.[1] ?? '';
}

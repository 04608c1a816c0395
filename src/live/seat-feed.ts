import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { topologyFor } from '../platform/amqp/topology';
import { AMQP_CONNECTION_NAMES, openAmqpConnection, reconnectDelayMs } from '../platform/amqp/amqp-connection.factory';
import { TicketRefundedEvent } from '../purchasing/ticket-refunded.event';
import { TicketReservedEvent } from '../purchasing/ticket-reserved.event';

/** A reserved seat as the live feed hands it on. */
export interface FedSeat {
  eventId: string;
  venueId: string;
  zoneId: number;
  row: string;
  column: number;
  createdOn: string;
}

export interface SeatFeedListener {
  seatsTaken(seats: readonly FedSeat[]): void;
  /** Seats refunded, back on sale (a later TicketReserved takes them again). */
  seatsFreed(seats: readonly FedSeat[]): void;
  /** The feed was cut and is back: seats relayed meanwhile were missed. */
  resumed(): void;
}

/**
 * A bounded queue: a process that cannot keep up drops the oldest copies (a live view needs the recent seats,
 * and a reconnecting page gets a fresh snapshot), and a copy older than the TTL is worth nothing either.
 */
const FEED_QUEUE_ARGUMENTS = { 'x-max-length': 10_000, 'x-overflow': 'drop-head', 'x-message-ttl': 10_000 };

/**
 * This process's copy of the reservation and refund events: an exclusive, auto-deleted, non-durable queue bound to the
 * namespace's fanout exchange, so every API process sees every relayed batch (whichever process relayed it)
 * and the queue disappears with the process. Nothing on the purchase path changes: the broker copies each
 * batched message once more. Consumed without acknowledgements, since a lost copy is repaired by the next
 * snapshot, never needed for correctness. Reconnects on its own while the broker is away.
 */
@Injectable()
export class SeatFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SeatFeed.name);
  private readonly exchange: string;
  private listener: SeatFeedListener | undefined;
  private connection: ChannelModel | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private everConnected = false;
  /** Purchase → this process, for the newest ticket of the last message. */
  lastDelayMs: number | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.exchange = topologyFor(config.AMQP_NAMESPACE).exchange;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  listen(listener: SeatFeedListener): void {
    this.listener = listener;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the API serves purchases whether or not the broker answers now.
    void this.open();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    let connection: ChannelModel | undefined;
    try {
      connection = await openAmqpConnection(this.config.AMQP_URL, AMQP_CONNECTION_NAMES.seatFeed);
      connection.on('close', () => this.lost(connection!));
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => void connection!.close().catch(() => undefined));
      await channel.assertExchange(this.exchange, 'fanout', { durable: true });
      const { queue } = await channel.assertQueue('', {
        exclusive: true,
        autoDelete: true,
        durable: false,
        arguments: FEED_QUEUE_ARGUMENTS,
      });
      await channel.bindQueue(queue, this.exchange, '');
      await channel.consume(queue, (message) => this.receive(message), { noAck: true, exclusive: true });
      if (this.stopped) {
        await connection.close();
        return;
      }
      this.connection = connection;
      this.failures = 0;
      if (this.everConnected) this.listener?.resumed();
      this.everConnected = true;
    } catch (error) {
      await connection?.close().catch(() => undefined);
      this.retry(error as Error);
    }
  }

  private lost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.retry(new Error('broker connection closed'));
  }

  private retry(error: Error): void {
    if (this.stopped) return;
    this.failures++;
    if (this.failures === 1 || this.failures % 20 === 0) {
      this.logger.warn(`live seat feed unavailable (${this.failures} in a row), will retry: ${error.message}`);
    }
    this.retryTimer = setTimeout(() => void this.open(), reconnectDelayMs(this.failures));
  }

  private receive(message: ConsumeMessage | null): void {
    if (message === null || this.listener === undefined) return;
    const freed = parseRefundedSeats(message.content);
    if (freed.length > 0) {
      this.listener.seatsFreed(freed);
      return;
    }
    const seats = parseReservedSeats(message.content);
    if (seats.length === 0) return;
    const newest = seats.reduce((max, s) => (s.createdOn > max ? s.createdOn : max), seats[0]!.createdOn);
    this.lastDelayMs = Math.max(0, Date.now() - Date.parse(newest));
    this.listener.seatsTaken(seats);
  }
}

/**
 * The seats of a TicketReserved message; anything else yields none. TicketCancelled messages free nothing:
 * the write store cancels a second ticket for a seat that stays its owner's.
 */
export function parseReservedSeats(content: Buffer): FedSeat[] {
  return parseSeats(content, TicketReservedEvent.type);
}

/** The seats of a TicketRefunded message (freed by a refund); anything else yields none. */
export function parseRefundedSeats(content: Buffer): FedSeat[] {
  return parseSeats(content, TicketRefundedEvent.type);
}

function parseSeats(content: Buffer, expected: string): FedSeat[] {
  let message: unknown;
  try {
    message = JSON.parse(content.toString('utf8'));
  } catch {
    return [];
  }
  if (typeof message !== 'object' || message === null) return [];
  const { pattern, data } = message as { pattern?: unknown; data?: unknown };
  if (pattern !== expected || !Array.isArray(data)) return [];
  const seats: FedSeat[] = [];
  for (const item of data as Partial<Record<keyof FedSeat, unknown>>[]) {
    const { eventId, venueId, zoneId, row, column, createdOn } = item ?? {};
    if (
      typeof eventId === 'string' &&
      typeof venueId === 'string' &&
      typeof zoneId === 'number' &&
      typeof row === 'string' &&
      typeof column === 'number' &&
      typeof createdOn === 'string'
    ) {
      seats.push({ eventId, venueId, zoneId, row, column, createdOn });
    }
  }
  return seats;
}

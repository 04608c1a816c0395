import { Logger } from '@nestjs/common';
import { connect, type ChannelModel } from 'amqplib';
import { printableTarget } from '../startup-failure';

/**
 * Every AMQP connection a process opens, by role, with the name the broker shows for it (the management UI's
 * Connections tab, `rabbitmqctl list_connections name client_properties`): a connection that misbehaves, or a
 * consumer count that looks wrong, is traced to the component that opened it.
 */
export const AMQP_CONNECTION_NAMES = {
  /** The API's outbox relay: confirm channel, publishes purchases. */
  apiPublisher: 'tickets-api-publisher',
  /** The worker's publisher of the write store's refusals (TicketCancelled). */
  workerPublisher: 'tickets-worker-publisher',
  /** The worker's pipeline consumers, one connection per pipeline queue. */
  writeStorePipeline: 'tickets-worker-write-store',
  readModelPipeline: 'tickets-worker-read-model',
  /** Queue depths for the API's ops dashboard and the worker's metrics. */
  apiQueueDepth: 'tickets-api-queue-depth',
  workerQueueDepth: 'tickets-worker-queue-depth',
  /** The API's copy of the reservation events for the live seat maps. */
  seatFeed: 'tickets-api-seat-feed',
  /** The worker's drain barrier before a seat-map rebuild (one connection per pass). */
  drainBarrier: 'tickets-worker-drain-barrier',
  /** The operator's tools. */
  rebuildSeats: 'tickets-cli-rebuild-seats',
  replayDeadLetters: 'tickets-cli-replay-dlq',
} as const;

export type AmqpConnectionName = (typeof AMQP_CONNECTION_NAMES)[keyof typeof AMQP_CONNECTION_NAMES];

/** Bounds the TCP connect and the AMQP handshake: a broker behind a dead link would otherwise hold the caller. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

const logger = new Logger('Amqp');

/**
 * Opens a named connection with the one logging policy: opened and closed by this process at debug level
 * (short-lived connections, such as the drain barrier's, open one per pass); a connection lost (closed by the
 * broker, a socket error, a missed heartbeat) as one warning with the reason. The 'error' listener is always
 * attached, so an error never crashes the process; amqplib follows every connection error with 'close',
 * which the caller listens to for its own recovery.
 */
export async function openAmqpConnection(
  url: string,
  name: AmqpConnectionName,
  timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<ChannelModel> {
  const connection = await connect(url, { timeout: timeoutMs, clientProperties: { connection_name: name } });
  const where = printableTarget(url);
  logger.debug(amqpLogLine(name, 'opened', where));
  let failure: Error | undefined;
  connection.on('error', (error: Error) => (failure ??= error));
  connection.on('close', (error?: Error) => {
    const reason = error ?? failure;
    if (reason === undefined) logger.debug(amqpLogLine(name, 'closed', where));
    else logger.warn(amqpLogLine(name, 'lost', where, reason));
  });
  return connection;
}

/** The one shape of a connection's log line: `AMQP connection <name> <event> (<where>)[: <reason>]`. */
export function amqpLogLine(
  name: AmqpConnectionName,
  event: 'opened' | 'closed' | 'lost',
  where: string,
  reason?: Error,
): string {
  return `AMQP connection ${name} ${event} (${where})${reason ? `: ${reason.message}` : ''}`;
}

/** Shortest wait before a reconnect, and the cap its doubling stops at. */
const RECONNECT_BASE_MS = 250;
const RECONNECT_CAP_MS = 5000;

/**
 * The one reconnect backoff: doubling from 250 ms, capped at 5 s, with "equal jitter" (a random point in the
 * upper half of the step), so processes that lost the broker together do not come back in lockstep, and no
 * wait is shorter than half its step. `attempt` counts from 1.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(RECONNECT_BASE_MS * 2 ** Math.max(0, Math.min(attempt - 1, 16)), RECONNECT_CAP_MS);
  return Math.round(step / 2 + (step / 2) * random());
}

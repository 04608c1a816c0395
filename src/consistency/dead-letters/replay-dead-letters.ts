import type { GetMessage } from 'amqplib';
import { reach } from '../../platform/startup-failure';
import { withTimeout } from '../../platform/time';
import { deadLetterQueueOf, type Topology } from '../../platform/amqp/topology';
import { AMQP_CONNECTION_NAMES, openAmqpConnection } from '../../platform/amqp/amqp-connection.factory';

export const PIPELINES = ['write-store', 'read-model'] as const;
export type PipelineName = (typeof PIPELINES)[number];

export interface ReplayOptions {
  /** Only read the letters (and return them to their queue), moving nothing. */
  readonly dryRun: boolean;
  /** At most this many letters. */
  readonly limit: number;
  /** Called after each confirmed batch (or each letter read, in a dry run) with the letters done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReplayReport {
  readonly from: string;
  readonly to: string;
  /** Letters in the dead-letter queue when the replay began. */
  readonly waiting: number;
  /** Letters read (a dry run) or moved. */
  readonly handled: number;
  readonly moved: number;
  /** Letters by `x-failure-reason` (up to its first colon; `delivery limit` for the broker's own). */
  readonly reasons: ReadonlyMap<string, number>;
}

/** Letters published before one wait for the broker's confirms. */
const BATCH = 200;
/** Headers of the failure, dropped from a replayed message (a new failure writes its own). */
const FAILURE_HEADERS = ['x-failure-reason', 'x-attempts', 'x-original-queue', 'x-failed-at', 'x-death'];

/**
 * Moves the dead letters of one pipeline back to its queue: each letter is published to the pipeline queue
 * (straight to it, not through the fanout exchange, so the other pipeline gets no copy), and removed from the
 * dead-letter queue only once the broker confirmed the copy. A crash in between leaves the letter in both
 * queues, never in neither; the consumers are idempotent per ticket. Takes at most the letters waiting when
 * it began, so a letter that fails again and comes back cannot keep it running, and a second run finds only
 * the letters that failed again.
 *
 * A dry run reads each letter without acknowledging it and returns them all to the dead-letter queue by
 * closing its connection, with their content and headers.
 */
export async function replayDeadLetters(
  url: string,
  topology: Topology,
  pipeline: PipelineName,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const to = pipeline === 'write-store' ? topology.pipelines.writeStore : topology.pipelines.readModel;
  const from = deadLetterQueueOf(to);
  // The factory's error listener keeps a connection error from crashing the tool; the calls below then fail.
  const connection = await reach('AMQP_URL', url, () =>
    openAmqpConnection(url, AMQP_CONNECTION_NAMES.replayDeadLetters, 10_000),
  );
  const reasons = new Map<string, number>();
  let handled = 0;
  let moved = 0;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    // checkQueue creates nothing: a queue that is missing means another namespace, or a platform never started.
    const missing = (error: Error) => {
      throw new Error(
        `${error.message.replace(/^.*NOT_FOUND - /, '').replace(/"$/, '')} (AMQP_NAMESPACE is ${topology.exchange})`,
      );
    };
    await channel.checkQueue(to).catch(missing);
    const waiting = (await channel.checkQueue(from).catch(missing)).messageCount;
    const total = Math.min(waiting, options.limit);
    while (handled < total) {
      const batch: GetMessage[] = [];
      while (batch.length < BATCH && handled + batch.length < total) {
        const letter = await channel.get(from, { noAck: false });
        if (letter === false) break;
        batch.push(letter);
        const reason = reasonOf(letter);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      if (batch.length === 0) break; // another consumer took the rest
      if (!options.dryRun) {
        for (const letter of batch) {
          const headers = { ...letter.properties.headers };
          const failure = headers['x-failure-reason'];
          for (const name of FAILURE_HEADERS) delete headers[name];
          channel.sendToQueue(to, letter.content, {
            ...letter.properties,
            persistent: true,
            headers: {
              ...headers,
              'x-replayed-at': new Date().toISOString(),
              ...(failure !== undefined && { 'x-replayed-reason': failure }),
            },
          });
        }
        await withTimeout(channel.waitForConfirms(), 30_000, `broker confirms of ${batch.length} replayed message(s)`);
        for (const letter of batch) channel.ack(letter);
        moved += batch.length;
      }
      handled += batch.length;
      options.onProgress?.(handled, total);
    }
    // Close-ok comes after the broker has processed the acks sent before it.
    await channel.close();
    return { from, to, waiting, handled, moved, reasons };
  } finally {
    // Unacknowledged letters (a dry run's, a failed batch's) go back to the dead-letter queue.
    await connection.close().catch(() => undefined);
  }
}

function reasonOf(letter: GetMessage): string {
  const headers = letter.properties.headers ?? {};
  const reason = headers['x-failure-reason'];
  if (typeof reason === 'string' || Buffer.isBuffer(reason)) return String(reason).split(':')[0]!.slice(0, 60);
  return headers['x-death'] !== undefined ? 'delivery limit' : 'unknown';
}

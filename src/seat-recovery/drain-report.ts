/**
 * What each worker says about its write-store pipeline, every REPORT_INTERVAL_MS, for the drain barrier.
 * It expires after REPORT_TTL_MS without a refresh: a worker that stops reporting has stopped or hangs.
 */
export interface DrainReport {
  /** Changes whenever the worker's consumer is replaced: its unacknowledged messages went back to the queue. */
  readonly epoch: number;
  readonly consuming: boolean;
  /** The drain round the worker saw last (a random id: a Redis that lost its data cannot repeat one). */
  readonly round: string;
  /**
   * Every message the worker had received when it first saw `round` has been acknowledged (written to the
   * event store, or dead-lettered), all on the consumer it had then. A dead-lettered message is acknowledged
   * but not settled: the barrier also requires the dead-letter queue to be empty (WriteStoreDrainBarrier).
   */
  readonly settled: boolean;
  /** Drain barrier messages its write-store pipeline handled lately. */
  readonly barriers: readonly string[];
}

export const REPORT_INTERVAL_MS = 250;
export const REPORT_TTL_MS = 3000;

/**
 * True when a worker the drain counted on is gone, has replaced its consumer, or stopped consuming since:
 * messages it held may have gone back to the queue behind the barrier, so the round proves nothing.
 */
export function workersChanged(
  expected: ReadonlyMap<string, DrainReport>,
  current: ReadonlyMap<string, DrainReport>,
): boolean {
  for (const [workerId, before] of expected) {
    const now = current.get(workerId);
    if (now === undefined || now.epoch !== before.epoch || !now.consuming) return true;
  }
  return false;
}

/** True once every expected worker has settled everything it held when it saw `round`. */
export function roundSettled(
  expected: ReadonlyMap<string, DrainReport>,
  current: ReadonlyMap<string, DrainReport>,
  round: string,
): boolean {
  for (const workerId of expected.keys()) {
    const now = current.get(workerId);
    if (now === undefined || now.round !== round || !now.settled) return false;
  }
  return true;
}

export const barrierSeen = (current: ReadonlyMap<string, DrainReport>, barrierId: string): boolean =>
  [...current.values()].some((report) => report.barriers.includes(barrierId));

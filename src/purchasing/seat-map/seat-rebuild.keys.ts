/**
 * Redis keys of the automatic seat-map rebuild. They share one hash tag, so the multi-key commands that read
 * them together (MGET of the workers' reports) work on a Redis Cluster, and they carry the broker namespace:
 * the drain they coordinate is that of the namespace's write-store queue.
 */
export interface SeatRebuildKeys {
  /** Set of event ids whose seat maps the API found missing. */
  readonly requests: string;
  /** The rebuilder's lock: one worker rebuilds at a time. */
  readonly lock: string;
  /** The current drain round's id (see WriteStoreDrainBarrier). */
  readonly round: string;
  /** Set of worker ids that report on their write-store pipeline. */
  readonly workers: string;
  /** One worker's latest DrainReport (JSON), expiring when the worker stops reporting. */
  worker(workerId: string): string;
}

export function seatRebuildKeys(namespace: string): SeatRebuildKeys {
  const tag = `{seat-rebuild:${namespace}}`;
  return {
    requests: `${tag}:requests`,
    lock: `${tag}:lock`,
    round: `${tag}:round`,
    workers: `${tag}:workers`,
    worker: (workerId) => `${tag}:worker:${workerId}`,
  };
}

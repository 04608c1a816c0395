/**
 * Replies by which a cluster refuses a command without running it (the slot is elsewhere, moving, or the
 * cluster is reconfiguring): safe to send again, even for a script that writes.
 */
export function isClusterRedirection(error: unknown): boolean {
  return error instanceof Error && /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /.test(error.message);
}

/**
 * Replies by which Redis refuses a command without running it: out of memory under `noeviction`, a read-only
 * replica, another script running past `busy-reply-threshold`, a replica cut off from its master (with
 * `replica-serve-stale-data no`), a dataset still loading, too few replicas (`min-replicas-to-write`), and
 * the cluster's refusals. A script is refused as a whole: OOM and READONLY stop it at its first write, so
 * it wrote nothing; BUSY, MASTERDOWN and LOADING refuse it before it starts. A retry later may succeed and
 * cannot double a write.
 */
const REFUSAL = /^(OOM|READONLY|BUSY|MASTERDOWN|LOADING|NOREPLICAS) /;

/** The client's own errors while no answer can come: connection lost, deadline passed, cluster not ready. */
const UNREACHABLE =
  /Command timed out|Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|ETIMEDOUT|EPIPE|ENOTCONN|Cluster isn't ready|Too many Cluster redirections|Cluster is ended/i;

/**
 * The one classifier of Redis failures: true for "Redis cannot take this now, retry later" (503 with
 * Retry-After, counted UNAVAILABLE), false for anything that may be a bug (500, logged).
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isClusterRedirection(error) || REFUSAL.test(error.message)) return true;
  return UNREACHABLE.test(`${error.name} ${error.message}`);
}

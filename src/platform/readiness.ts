import type { FastifyReply } from 'fastify';
import { withTimeout } from './time';

/** Bound on each readiness check: a probe must answer even when a dependency hangs rather than refuses. */
export const CHECK_TIMEOUT_MS = 1000;

export type ReadinessChecks<K extends string> = Record<K, () => PromiseLike<unknown>>;

/**
 * Runs every check concurrently, each bounded in time; a check passes when it resolves in time. Answers
 * 200 `{status: 'ready', checks}` when all pass, else 503 with the failing checks `false`.
 */
export async function sendReadiness<K extends string>(
  reply: FastifyReply,
  checks: ReadinessChecks<K>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<void> {
  const names = Object.keys(checks) as K[];
  const results = await Promise.all(
    names.map((name) =>
      withTimeout(Promise.resolve().then(checks[name]), timeoutMs, `${name} check`).then(
        () => true,
        () => false,
      ),
    ),
  );
  const ready = results.every(Boolean);
  const byName = Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<K, boolean>;
  await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: byName });
}

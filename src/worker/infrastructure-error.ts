/**
 * Failures that say "a store is unreachable", not "this message is bad". Batches failing this way are
 * retried for as long as the outage lasts (a fault must lose nothing, and an outage is no reason to
 * dead-letter a good message); any other failure counts towards the dead-letter limit.
 */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|Connection lost|connect ETIMEDOUT|TimeoutError|timed out|Timeout|closed state|PROTOCOL_CONNECTION_LOST|ER_CON_COUNT_ERROR|Too many connections|ServiceUnavailable|ThrottlingException|ProvisionedThroughputExceeded|RequestLimitExceeded|InternalServerError|Pool is closed|Knex: Timeout/i;

export function isInfrastructureUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const text = `${error.name} ${typeof code === 'string' ? code : ''} ${error.message}`;
  return UNREACHABLE.test(text);
}

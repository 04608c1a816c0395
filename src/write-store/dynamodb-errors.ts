const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'UnprocessedRequestsError',
  'SeatStreamContentionError',
]);

/**
 * True for failures that another attempt later may cure (throttling, 5xx, network, timeouts): the consumer
 * retries those with backoff. Anything else (validation, a missing table) is a bug or a misconfiguration.
 */
export function isTransientDynamoError(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: node:http's errors may come from another realm (a test's VM context).
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code, $metadata } = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  // Whole words, case as node:net spells them: "ResourceNotFoundException" must not read as ENOTFOUND.
  return /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)\b|socket hang up/.test(
    `${code ?? ''} ${message ?? ''}`,
  );
}

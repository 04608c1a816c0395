import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const DYNAMODB = Symbol('DYNAMODB');

export interface DynamoClientOptions {
  /** Attempts per call including the first; the SDK backs off between them. The consumer retries after. */
  maxAttempts?: number;
  /** Bound on opening a TCP connection. */
  connectionTimeoutMs?: number;
  /** Bound on one request from send to the last byte of the response. */
  requestTimeoutMs?: number;
  /** Open sockets per client: more than the store's writes in flight, so none waits for a socket. */
  maxSockets?: number;
}

/**
 * The document client of the write store. With an endpoint (dynalite, DynamoDB Local) it signs with dummy
 * credentials; without, the SDK's default chain finds real ones. Every call has a deadline: attempts x
 * (connection + request timeout) plus the SDK's backoff, a few seconds with the defaults, so a dead endpoint
 * fails the caller instead of hanging it.
 */
export function createDynamoDocumentClient(
  endpoint: string | undefined,
  region: string,
  options: DynamoClientOptions = {},
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    ...(endpoint !== undefined && {
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 5000,
      // Without it a breach of requestTimeout is only logged as a warning.
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

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
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: string }).code;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|socket hang up/i.test(
    `${code ?? ''} ${error.message}`,
  );
}

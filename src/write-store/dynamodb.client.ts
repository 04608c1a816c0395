import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJsonClient } from './dynamo-json.client';
import { DynamoSdkItemClient, type DynamoItemClient } from './dynamo-sdk-item.client';

export const DYNAMODB = Symbol('DYNAMODB');

export interface DynamoClientOptions {
  /** Attempts per call including the first; the client backs off between them. The consumer retries after. */
  maxAttempts?: number;
  /** Bound on opening a TCP connection. */
  connectionTimeoutMs?: number;
  /** Bound on one request from send to the last byte of the response. */
  requestTimeoutMs?: number;
  /** Open sockets per client: more than the store's writes in flight, so none waits for a socket. */
  maxSockets?: number;
  /** Which client sends the item calls: `json` (DynamoJsonClient, the default) or `sdk` (the SDK's bare client). */
  itemClient?: 'json' | 'sdk';
}

/**
 * The write store's two clients on one endpoint, region and credential chain: the SDK's client for tables and
 * health checks (CreateTable, DescribeTable, ListTables: low-level calls with no items, so no document client
 * and its marshalling), and the JSON client for items, where the SDK's cost per call bounded the pipeline (see
 * DynamoJsonClient). With `itemClient: 'sdk'` the items go through the SDK's client too, for comparing the
 * two on the same workload.
 */
export class DynamoClients {
  constructor(
    /** The SDK's client: tables and health checks; with `itemClient: 'sdk'` the items too. */
    readonly sdk: DynamoDBClient,
    /** The item client: DynamoJsonClient unless `itemClient: 'sdk'`. */
    readonly json: DynamoItemClient,
    /** Where both clients send their calls, for error messages. */
    readonly endpoint: string,
  ) {}

  destroy(): void {
    this.sdk.destroy();
    this.json.destroy();
  }
}

/**
 * With an endpoint (dynalite, DynamoDB Local) both clients sign with dummy credentials. Without, both are on
 * AWS: the endpoint is the SDK's for the region (`https://dynamodb.<region>.amazonaws.com`, `.com.cn` in
 * China), and the credentials come from the SDK's default chain, which the JSON client shares: environment
 * variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), shared config and SSO profiles
 * (AWS_PROFILE), a web identity token (EKS IRSA), container credentials (ECS, EKS Pod Identity), then the
 * EC2 instance role (IMDS); temporary ones are refreshed before they expire. Every call has a deadline:
 * attempts x (connection + request timeout) plus the backoff, a few seconds with the defaults, so a dead
 * endpoint fails the caller instead of hanging it.
 */
export function createDynamoClients(
  endpoint: string | undefined,
  region: string,
  options: DynamoClientOptions = {},
): DynamoClients {
  const maxAttempts = options.maxAttempts ?? 3;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const maxSockets = options.maxSockets ?? 64;
  const client = new DynamoDBClient({
    region,
    ...(endpoint !== undefined && {
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    maxAttempts,
    requestHandler: {
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without it a breach of requestTimeout is only logged as a warning.
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
  });
  const target = endpoint ?? client.config.endpointProvider({ Region: region }).url.origin;
  if (options.itemClient === 'sdk') return new DynamoClients(client, new DynamoSdkItemClient(client), target);
  const json = new DynamoJsonClient({
    endpoint: target,
    region,
    credentials: client.config.credentials,
    maxAttempts,
    connectionTimeoutMs,
    requestTimeoutMs,
    maxSockets,
  });
  return new DynamoClients(client, json, target);
}

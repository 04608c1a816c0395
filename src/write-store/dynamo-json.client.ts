import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import aws4 from 'aws4';
import { isTransientDynamoError } from './dynamodb-errors';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { sleep } from '../platform/time';

/** What the SDK's credential providers resolve to. */
export type DynamoCredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}>;

export interface DynamoJsonClientOptions {
  /** `http(s)://host:port` of DynamoDB, dynalite or DynamoDB Local. */
  endpoint: string;
  region: string;
  /** The SDK client's provider: the same default chain, caching and refresh as every other call. */
  credentials: DynamoCredentialsProvider;
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxSockets: number;
}

/** A failure DynamoDB answered with: `name` is its error type (`ConditionalCheckFailedException`, ...). */
export class DynamoServiceError extends Error {
  override readonly name: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(type: string, message: string, httpStatusCode: number) {
    super(message);
    this.name = type;
    this.$metadata = { httpStatusCode };
  }
}

class DynamoTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * DynamoDB's JSON protocol over a keep-alive agent, requests signed by `aws4`: the write store's item calls
 * (conditional PutItem, BatchWriteItem, BatchGetItem, Query). Tables and the readiness check go through the
 * SDK's document client.
 *
 * Why not the SDK here: one conditional PutItem through `@aws-sdk/lib-dynamodb` costs ~670 µs of client CPU
 * on this machine (middleware stack, schema serde, SigV4 through node:crypto KeyObjects, the retry strategy),
 * the same call through this client ~125 µs. The worker is CPU-bound on those calls while draining, so the SDK
 * held the write store at ~1.2-1.6k tickets/s against a dynalite that takes 4.5k conditional writes/s.
 *
 * Attempts, timeouts and error names follow the SDK's: transient failures (throttling, 5xx, network,
 * timeouts) are retried with jittered backoff up to `maxAttempts`; a service error keeps DynamoDB's error
 * type as its `name` and the status in `$metadata.httpStatusCode`, so `isTransientDynamoError` and the
 * `ConditionalCheckFailedException` check read both clients' errors alike.
 */
export class DynamoJsonClient implements DynamoItemClient {
  private readonly https: boolean;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly agent: HttpAgent;

  constructor(private readonly options: DynamoJsonClientOptions) {
    const url = new URL(options.endpoint);
    this.https = url.protocol === 'https:';
    this.hostname = url.hostname;
    this.port = url.port === '' ? undefined : Number(url.port);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.agent = this.https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  /** One DynamoDB operation (`PutItem`, `BatchWriteItem`, ...) on low-level attribute values. */
  async call<T>(operation: string, input: object): Promise<T> {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.send(operation, body)) as T;
      } catch (error) {
        if (attempt >= this.options.maxAttempts || !isTransientDynamoError(error)) throw error;
        await sleep(Math.random() * Math.min(1000, 50 * 2 ** attempt));
      }
    }
  }

  destroy(): void {
    this.agent.destroy();
  }

  private async send(operation: string, body: string): Promise<unknown> {
    const credentials = await this.options.credentials();
    const signed = aws4.sign(
      {
        hostname: this.hostname,
        ...(this.port !== undefined && { port: this.port }),
        method: 'POST',
        path: '/',
        service: 'dynamodb',
        region: this.options.region,
        headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': TARGET_PREFIX + operation },
        body,
      },
      credentials,
    );
    signed.agent = this.agent;
    return new Promise((resolve, reject) => {
      let connectDeadline: NodeJS.Timeout | undefined;
      const settle = (error: unknown, value?: unknown): void => {
        clearTimeout(deadline);
        clearTimeout(connectDeadline);
        if (error === undefined) resolve(value);
        else reject(error);
      };
      const request: ClientRequest = (this.https ? httpsRequest : httpRequest)(signed, (response) =>
        readResponse(response, settle),
      );
      const deadline = setTimeout(
        () => request.destroy(new DynamoTimeoutError(`${operation}: no answer in ${this.options.requestTimeoutMs} ms`)),
        this.options.requestTimeoutMs,
      );
      request.on('error', settle);
      request.on('socket', (socket) => {
        // A kept-alive socket is already connected; only a new one gets the connection deadline.
        if (!socket.connecting) return;
        connectDeadline = setTimeout(
          () => request.destroy(new DynamoTimeoutError(`connect: over ${this.options.connectionTimeoutMs} ms`)),
          this.options.connectionTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectDeadline));
      });
      request.end(body);
    });
  }
}

function readResponse(response: IncomingMessage, settle: (error: unknown, value?: unknown) => void): void {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.on('error', settle);
  response.on('end', () => {
    const status = response.statusCode ?? 0;
    let parsed: Record<string, unknown>;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      settle(new DynamoServiceError('InvalidResponse', `status ${status}: ${text.slice(0, 200)}`, status));
      return;
    }
    if (status === 200) {
      settle(undefined, parsed);
      return;
    }
    // `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` -> the part after '#'.
    const type = String(parsed['__type'] ?? `HTTP${status}`);
    const message = String(parsed['message'] ?? parsed['Message'] ?? '');
    settle(new DynamoServiceError(type.slice(type.lastIndexOf('#') + 1), message, status));
  });
}

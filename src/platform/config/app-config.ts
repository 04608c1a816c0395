import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * The whole environment of both processes, validated once at start-up. A bad value stops the process
 * with the variable's name, before any connection is opened.
 */
const appConfigFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Bound on one Redis round trip: past it a purchase answers 503 instead of hanging. */
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1000),
  /**
   * Set: the seat inventory is a Redis Cluster reached through these nodes (a few are enough, the client
   * discovers the rest) and REDIS_URL is not used. Unset: the single Redis at REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be a comma-separated list of host:port')
    .transform((list) =>
      list.split(',').map((node) => {
        const [host, port] = node.split(':') as [string, string];
        return { host, port: Number(port) };
      }),
    )
    .optional(),
  /**
   * Where ticket lookups read the entries the reservation writes: a replica of the single Redis, so
   * `GET /api/v1/tickets/:id` never loads the master (a miss there, replication lag, falls back to the
   * master). Unset: the write Redis itself, or the cluster's replicas when it has some.
   */
  TICKET_CACHE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** How long a new ticket stays readable from Redis: well past the read model's lag, bounded memory. */
  TICKET_CACHE_TTL_SECONDS: positiveInt.default(300),
  /** Prefix of every exchange and queue name: deployments sharing a broker stay apart. */
  AMQP_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
    .default('tickets'),
  AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\//, 'must be an amqp:// or amqps:// URL')
    .default('amqp://guest:guest@127.0.0.1:5672'),
  /** Required by the API (admin endpoints); the worker does not use it. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CATALOG_FILE: z.string().min(1).optional(),
  /** Purchases one client address may make per window; 0 turns the limit off (load tests do). */
  RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(50),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(10_000),
  /**
   * Which proxies' X-Forwarded-For is believed for the client's address (what the rate limit and the
   * live-stream cap key on). `false`: the connection's peer, anything forwarded ignored (a client can forge
   * it). A comma-separated list of the proxies' addresses or CIDRs, or proxy-addr's names `loopback`,
   * `linklocal`, `uniquelocal` (the private ranges): the header is read from the right, past those proxies, to
   * the first address that is not one of them, so entries a client put in front count for nothing. `true`
   * trusts every hop, the forgeable left-most address included.
   */
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9A-Za-z.:/]+(,[0-9A-Za-z.:/]+)*)$/,
      'must be true, false, or a comma-separated list of proxy addresses, CIDRs or proxy-addr names',
    )
    .default('false')
    .transform((value): boolean | string[] =>
      value === 'true' || value === 'false' ? value === 'true' : value.split(','),
    ),
  BODY_LIMIT_BYTES: positiveInt.max(1_048_576).default(4096),
  /**
   * Pending connections the kernel queues for the API: an on-sale opens thousands at once, and Node's
   * default (511) drops the rest's SYNs, which clients retry only after 1, 3, 7 s (seen as 10 s timeouts).
   */
  HTTP_BACKLOG: positiveInt.max(65_535).default(4096),
  /**
   * Listening sockets on the API's port (SO_REUSEPORT): Node accepts one connection per socket per event-loop
   * turn, so under load a rush of new connections waits seconds with one socket (src/platform/http/accept-sockets.ts).
   */
  HTTP_ACCEPT_SOCKETS: positiveInt.max(1024).default(64),
  /**
   * Longest a client may take to send a whole request, headers and body (Node's requestTimeout, off in
   * Fastify by default): past it 408 and the connection closes, so a body trickled a byte at a time cannot
   * hold a socket forever. Both processes.
   */
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  /**
   * A connection silent this long, in either direction, is closed (Fastify's connectionTimeout). Above the
   * live streams' 15 s heartbeat, which keeps an open stream from counting as silent. Both processes.
   */
  HTTP_CONNECTION_TIMEOUT_MS: positiveInt.max(3_600_000).default(60_000),
  /** Open connections one process holds, over all its accept sockets; more are closed as they arrive. */
  HTTP_MAX_CONNECTIONS: positiveInt.max(1_000_000).default(10_000),
  /** API processes sharing the port (node:cluster, each with its accept sockets); 1 runs the API in this process. */
  API_PROCESSES: positiveInt.max(64).default(1),
  /** How long a purchase that won its seat can be retried with its Idempotency-Key for the original 201. */
  IDEMPOTENCY_TTL_SECONDS: positiveInt.default(86_400),
  /**
   * How long a key is held while its purchase runs, and after one that bought nothing (409, 503): kept for
   * IDEMPOTENCY_TTL_SECONDS only once the seat is taken, so a rush of refused purchases does not fill Redis.
   * Far above the Redis command timeout, so a claim outlives the purchase it guards.
   */
  IDEMPOTENCY_CLAIM_SECONDS: positiveInt.max(3600).default(30),
  /** Seats one buyer may hold and own per event, over every zone and shard (src/orders/buyer-limit). */
  MAX_SEATS_PER_BUYER_PER_EVENT: positiveInt.max(1000).default(8),
  /**
   * How long after a buyer's quota claim its seats may be taken: a hold call arriving later is refused, so a
   * lapsed claim never turns into seats. Far above the Redis command timeout (one call separates the two).
   */
  BUYER_QUOTA_CLAIM_SECONDS: positiveInt.max(600).default(10),
  /**
   * How long a held claim keeps counting past its hold's expiry: covers clock skew between cluster shards
   * and the time a confirm takes to mark the claim sold.
   */
  BUYER_QUOTA_GRACE_SECONDS: positiveInt.max(3600).default(60),
  OUTBOX_RELAY_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  OUTBOX_BATCH_SIZE: positiveInt.max(5000).default(500),
  /** Events packed into one AMQP message by the relay. */
  OUTBOX_TICKETS_PER_MESSAGE: positiveInt.max(1000).default(100),
  /** An outbox entry read by a relay that then went silent this long is taken over by another relay. */
  OUTBOX_CLAIM_IDLE_MS: positiveInt.default(30_000),
  /** How long a hold keeps its seats before the platform gives them back (POST /api/v1/holds). */
  HOLD_TTL_SECONDS: positiveInt.max(86_400).default(600),
  /** Seats one hold may take: one zone, one script call, all or none. */
  MAX_SEATS_PER_ORDER: positiveInt.max(100).default(8),
  /**
   * How often each API process sweeps the expiry index for holds past their expiresAt: the longest a seat
   * stays taken after its hold expired, plus one sweep's time.
   */
  HOLD_SWEEP_INTERVAL_MS: positiveInt.max(60_000).default(250),
  /** The read model's database; created if missing. */
  MYSQL_URL: z
    .string()
    .regex(/^mysql:\/\//, 'must be a mysql:// URL')
    .default('mysql://root@127.0.0.1:3306/tickets'),
  /**
   * Where the worker finds DynamoDB (see dynamoDbTarget): DYNAMODB_ENDPOINT for DynamoDB Local or dynalite;
   * on AWS no endpoint, DYNAMODB_REGION and credentials from the AWS SDK's default chain.
   */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  DYNAMODB_REGION: z.string().min(1).optional(),
  /**
   * `true`, with no endpoint: the worker starts a dynalite in its own process. dynalite is a devDependency,
   * absent from the images (`npm ci --omit=dev`): for development and tests only.
   */
  DYNAMODB_EMBEDDED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * What sends the worker's item calls (appends, ticket writes and reads): `json`, a DynamoDB JSON-protocol
   * client signed with aws4, at a fifth of the SDK's CPU per call; `sdk`, the AWS SDK's client, to compare
   * the two or to fall back on. Tables and health checks use the SDK either way.
   */
  DYNAMODB_CLIENT: z.enum(['json', 'sdk']).default('json'),
  DYNAMODB_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/)
    .default('tickets'),
  /** The worker's own HTTP port: health and pipeline figures. */
  WORKER_PORT: port.default(3001),
  /** Unacknowledged messages the worker holds per pipeline. */
  WORKER_PREFETCH: positiveInt.max(10_000).default(500),
  WORKER_BATCH_SIZE: positiveInt.max(5000).default(200),
  /** How long a partial batch waits for more messages before it is written. */
  WORKER_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  /** Attempts at a failing batch (with backoff) before it is retried message by message; none is dead-lettered. */
  WORKER_MAX_ATTEMPTS: positiveInt.max(100).default(5),
  /** Open server-sent-event streams (live seat maps and the ops view) one API process serves; 503 beyond. */
  LIVE_MAX_CLIENTS: positiveInt.max(100_000).default(500),
  /**
   * Of those, the streams one client address may hold (429 beyond), so one client cannot take them all. The
   * address is the one TRUST_PROXY resolves; a household or office behind one NAT shares it.
   */
  LIVE_MAX_CLIENTS_PER_ADDRESS: positiveInt.max(100_000).default(20),
  /**
   * Set: /metrics (both processes) and the ops stream and dashboard answer only with `Authorization: Bearer
   * <OPS_TOKEN>`. Unset: they are open, for a network where only operators reach them.
   */
  OPS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Secrets that sign the waiting room's queue tickets and purchase tokens (HMAC-SHA256), comma-separated:
   * the first signs, all verify, so a new secret is put first and the old one kept until the tokens it
   * signed have expired. Every API process needs the same list. Unset: one secret derived from ADMIN_TOKEN.
   */
  WAITING_ROOM_SECRETS: z
    .string()
    .regex(/^[^\s,]{32,}(,[^\s,]{32,})*$/, 'must be a comma-separated list of secrets of at least 32 characters')
    .transform((list) => list.split(','))
    .optional(),
  /** How long a purchase token is accepted once issued: the time an admitted buyer has to buy. */
  WAITING_ROOM_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(600),
  /** How long a queue ticket (a buyer's place) can be used to ask for the position and the token. */
  WAITING_ROOM_TICKET_TTL_SECONDS: positiveInt.max(7 * 86_400).default(86_400),
  /** How often each API process rereads the rooms from Redis (which events need a token, their cursors). */
  WAITING_ROOM_REFRESH_MS: positiveInt.min(100).max(10_000).default(1000),
  /** `json`: one JSON object per line (pino), for log collectors; `text`: Nest's coloured lines, for a terminal. */
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
});

export const appConfigSchema = appConfigFields.superRefine((config, context) => {
  if (config.IDEMPOTENCY_CLAIM_SECONDS > config.IDEMPOTENCY_TTL_SECONDS) {
    context.addIssue({
      code: 'custom',
      path: ['IDEMPOTENCY_CLAIM_SECONDS'],
      message: 'must not exceed IDEMPOTENCY_TTL_SECONDS',
    });
  }
  if (config.REDIS_CLUSTER_NODES !== undefined && config.TICKET_CACHE_REDIS_URL !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['TICKET_CACHE_REDIS_URL'],
      message: "a cluster's ticket lookups read its replicas; this setting is for a single Redis",
    });
  }
  if (config.DYNAMODB_EMBEDDED && config.DYNAMODB_ENDPOINT !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['DYNAMODB_EMBEDDED'],
      message: 'starts a DynamoDB of its own: unset DYNAMODB_ENDPOINT, or this',
    });
  }
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export class ConfigError extends Error {}

/** Parses an environment; the message names every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): AppConfig {
  const result = appConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Signs requests to an endpoint that ignores the region (dynalite, DynamoDB Local). */
const LOCAL_REGION = 'us-east-1';

export interface DynamoDbTarget {
  /** Unset: AWS's endpoint for the region, or the embedded dynalite's. */
  endpoint: string | undefined;
  region: string;
  /** Start a dynalite in this process. */
  embedded: boolean;
}

/**
 * The write store's DynamoDB, for the processes that use it (the worker and the command-line tools; the API
 * does not, and needs none of these settings). Nothing falls back to an embedded dynalite unasked: a worker
 * configured with a region alone is on AWS.
 */
export function dynamoDbTarget(
  config: Pick<AppConfig, 'DYNAMODB_ENDPOINT' | 'DYNAMODB_REGION' | 'DYNAMODB_EMBEDDED'>,
): DynamoDbTarget {
  const { DYNAMODB_ENDPOINT: endpoint, DYNAMODB_REGION: region, DYNAMODB_EMBEDDED: embedded } = config;
  if (endpoint === undefined && !embedded && region === undefined) {
    throw new ConfigError(
      'Invalid environment:\n  DYNAMODB_REGION: required without DYNAMODB_ENDPOINT (AWS); or set DYNAMODB_ENDPOINT ' +
        '(DynamoDB Local, dynalite), or DYNAMODB_EMBEDDED=true (a dynalite in this process, development only)',
    );
  }
  return { endpoint, region: region ?? LOCAL_REGION, embedded };
}

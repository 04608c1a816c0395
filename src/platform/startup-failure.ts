/** The stores a process reaches, and the setting that says where each one is. */
export type StoreSetting =
  'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'AMQP_URL' | 'MYSQL_URL' | 'DYNAMODB_ENDPOINT' | 'DYNAMODB_REGION';

const STORE_OF: Record<StoreSetting, string> = {
  REDIS_URL: 'Redis',
  REDIS_CLUSTER_NODES: 'Redis Cluster',
  AMQP_URL: 'RabbitMQ',
  MYSQL_URL: 'MySQL',
  DYNAMODB_ENDPOINT: 'DynamoDB',
  DYNAMODB_REGION: 'DynamoDB',
};

/** A URL as it may be printed: the password replaced, the rest kept so the operator recognises it. */
export function printableTarget(target: string): string {
  try {
    const url = new URL(target);
    if (url.password !== '') url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    return target;
  }
}

const reasonOf = (error: unknown): string => {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  return error.message !== '' ? error.message : ((error as { code?: string }).code ?? error.name);
};

/**
 * The error a process stops with when a store it needs is out of reach: which store, where it looked, and the
 * setting to fix, e.g. "cannot reach MySQL at mysql://root@127.0.0.1:3307/x (MYSQL_URL): connect ECONNREFUSED".
 */
export function unreachable(setting: StoreSetting, target: string, error: unknown): Error {
  return new Error(`cannot reach ${STORE_OF[setting]} at ${printableTarget(target)} (${setting}): ${reasonOf(error)}`, {
    cause: error,
  });
}

/** Runs the first call to a store, turning its failure into `unreachable`. */
export async function reach<T>(setting: StoreSetting, target: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    throw unreachable(setting, target, error);
  }
}

/** Where the seat inventory's Redis is configured: the cluster's nodes when set, else the single URL. */
export function redisSetting(config: {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
}): { setting: StoreSetting; target: string } {
  const nodes = config.REDIS_CLUSTER_NODES;
  return nodes === undefined
    ? { setting: 'REDIS_URL', target: config.REDIS_URL }
    : { setting: 'REDIS_CLUSTER_NODES', target: nodes.map((n) => `${n.host}:${n.port}`).join(',') };
}

/** The setting that points a process at DynamoDB: the endpoint when given, else the AWS region. */
export const dynamoSetting = (endpointGiven: boolean): StoreSetting =>
  endpointGiven ? 'DYNAMODB_ENDPOINT' : 'DYNAMODB_REGION';

/**
 * Opens a Redis client, failing with the reason: ioredis rejects connect() with "Connection is closed" and
 * reports why (ECONNREFUSED, ENOTFOUND, a bad password) only as an 'error' event.
 */
export async function connectRedis(
  client: {
    connect(): Promise<unknown>;
    on(event: 'error', listener: (error: Error) => void): unknown;
    off(event: 'error', listener: (error: Error) => void): unknown;
  },
  config: Parameters<typeof redisSetting>[0],
): Promise<void> {
  const { setting, target } = redisSetting(config);
  let cause: Error | undefined;
  const remember = (error: Error) => (cause ??= error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(setting, target, cause ?? error);
  } finally {
    client.off('error', remember);
  }
}

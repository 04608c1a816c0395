import { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');
/** Where ticket lookups read (see TICKET_CACHE_REDIS_URL); the write client itself when nothing is set. */
export const TICKET_CACHE_REDIS = Symbol('TICKET_CACHE_REDIS');

/** The seat inventory's client: one Redis, or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

export type ClusterNodes = NonNullable<AppConfig['REDIS_CLUSTER_NODES']>;

/**
 * The command connection. Offline queueing is off and every command has a deadline, so a purchase made
 * while Redis is unreachable fails at once (503) instead of piling up in memory. Auto-pipelining folds
 * the commands of concurrent requests issued in the same tick into one write.
 */
export function createRedis(url: string, commandTimeoutMs: number, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
}

/**
 * The cluster counterpart of createRedis, with the same deadlines. Every command is sent on its own (no
 * auto-pipelining): the client then follows MOVED and ASK redirections and retries TRYAGAIN for it while
 * slots move. A command batched with others for the same master is redirected only when the whole batch
 * got the same answer, so mid-reshard a reservation would fail instead of following its slot.
 */
function createRedisCluster(nodes: ClusterNodes, commandTimeoutMs: number, name: string): Cluster {
  return new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: false,
    scaleReads: 'master',
    // A slot half-way through a migration answers TRYAGAIN to a script whose keys are not all on one
    // side yet: retried every 20 ms for up to 64 redirections (~0.5 s, inside the command's deadline),
    // where the defaults give up after 16. Past that the purchase answers 503 and the client retries.
    retryDelayOnTryAgain: 20,
    maxRedirections: 64,
    retryDelayOnFailover: 100,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    redisOptions: {
      connectionName: name,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
    },
  });
}

/** The seat inventory's client as configured: the cluster when REDIS_CLUSTER_NODES is set. */
export function createRedisClient(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  commandTimeoutMs: number,
  name: string,
): RedisClient {
  return config.REDIS_CLUSTER_NODES === undefined
    ? createRedis(config.REDIS_URL, commandTimeoutMs, name)
    : createRedisCluster(config.REDIS_CLUSTER_NODES, commandTimeoutMs, name);
}

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

import { Global, Module } from '@nestjs/common';
import { REDIS } from '../platform/redis/redis.factory';
import { WorkerRedisLifecycle, workerRedisProvider } from './seat-rebuild.redis';

/**
 * The worker's REDIS (see workerRedisProvider), where the API has RedisModule. Global like RedisModule, so the
 * seat maps, rebuild requests and event records the rebuild uses (SeatMapModule, CatalogModule) find it.
 */
@Global()
@Module({ providers: [workerRedisProvider, WorkerRedisLifecycle], exports: [REDIS] })
export class WorkerRedisModule {}

import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { createRedis, REDIS } from '../platform/redis/redis.factory';

/**
 * The worker's Redis connection, used only to rebuild seat maps: unlike the API's, it connects in the
 * background and keeps trying, so a worker starts and drains its pipelines while Redis is unreachable.
 */
export const workerRedisProvider: Provider = {
  provide: REDIS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Redis => {
    const redis = createRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS, 'tickets-worker');
    redis.on('error', () => undefined); // reconnects by itself; the users log their own failures
    void redis.connect().catch(() => undefined);
    return redis;
  },
};

@Injectable()
export class WorkerRedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

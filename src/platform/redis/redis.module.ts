import { Global, Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  createRedis,
  createRedisClient,
  isCluster,
  REDIS,
  TICKET_CACHE_REDIS,
  type RedisClient,
} from './redis.factory';
import { connectRedis } from '../startup-failure';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisClient(config, config.REDIS_COMMAND_TIMEOUT_MS, 'tickets-api'),
    },
    {
      provide: TICKET_CACHE_REDIS,
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient): RedisClient => {
        if (config.TICKET_CACHE_REDIS_URL !== undefined) {
          return createRedis(config.TICKET_CACHE_REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS, 'tickets-cache');
        }
        // Lookups go to a replica of the key's slot when the cluster has one, its master otherwise.
        return isCluster(redis) ? redis.duplicate(undefined, { scaleReads: 'slave' }) : redis;
      },
    },
  ],
  exports: [REDIS, TICKET_CACHE_REDIS],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(TICKET_CACHE_REDIS) private readonly cacheRedis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process does not start serving until Redis answers: it is the seat inventory. */
  async onModuleInit(): Promise<void> {
    await connectRedis(this.redis, this.config);
    if (this.cacheRedis === this.redis) return;
    // Lookups fall back to the write Redis while this one is away; the client keeps reconnecting.
    await this.cacheRedis
      .connect()
      .catch((error: Error) => new Logger(RedisModule.name).warn(`ticket cache Redis not reachable: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = this.cacheRedis === this.redis ? [this.redis] : [this.redis, this.cacheRedis];
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { REDIS, type RedisClient } from '../platform/redis/redis.factory';
import { RedisSeatHolds } from '../purchasing/seat-map/redis-seat-holds';
import { SeatMapModule } from '../purchasing/seat-map/seat-map.module';
import { BUYER_QUOTA } from './buyer-limit/buyer-quota.port';
import { buyerQuotaSettings, RedisBuyerQuota } from './buyer-limit/redis-buyer-quota';
import { CancelHoldHandler } from './cancel-hold/cancel-hold.handler';
import { ConfirmHoldHandler } from './confirm-hold/confirm-hold.handler';
import { HoldExpirySweeper } from './expire-holds/hold-expiry.sweeper';
import { GetHoldHandler } from './get-hold/get-hold.handler';
import { HoldMetrics } from './hold-metrics';
import { HoldsHttpController } from './holds.http.controller';
import { PlaceHoldHandler } from './place-hold/place-hold.handler';

/**
 * Orders, in the API process: seat holds that expire, several seats at once or best available, confirmed
 * into tickets through the same outbox as a single seat, cancelled, or released by the expiry sweeper.
 * Needs APP_CONFIG, REDIS, METRICS_REGISTRY, CatalogService (CatalogModule) and CqrsModule.forRoot() from
 * the application.
 */
@Module({
  // SeatRebuildRequests: a hold that finds its zone's map missing asks for it, as a purchase does.
  imports: [SeatMapModule],
  controllers: [HoldsHttpController],
  providers: [
    RedisSeatHolds,
    HoldMetrics,
    // MAX_SEATS_PER_BUYER_PER_EVENT over every hold and confirmed ticket of a buyer (src/orders/buyer-limit).
    {
      provide: BUYER_QUOTA,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: RedisClient, config: AppConfig) =>
        new RedisBuyerQuota(redis, buyerQuotaSettings(config, config.HOLD_TTL_SECONDS)),
    },
    PlaceHoldHandler,
    ConfirmHoldHandler,
    CancelHoldHandler,
    GetHoldHandler,
    HoldExpirySweeper,
  ],
})
export class OrdersModule {}

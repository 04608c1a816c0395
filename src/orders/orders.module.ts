import { Module } from '@nestjs/common';
import { RedisSeatHolds } from '../purchasing/seat-map/redis-seat-holds';
import { BUYER_QUOTA } from './buyer-limit/buyer-quota.port';
import { CancelHoldHandler } from './cancel-hold/cancel-hold.handler';
import { ConfirmHoldHandler } from './confirm-hold/confirm-hold.handler';
import { HoldExpirySweeper } from './expire-holds/hold-expiry.sweeper';
import { GetHoldHandler } from './get-hold/get-hold.handler';
import { HoldMetrics } from './hold-metrics';
import { HoldsHttpController } from './holds.http.controller';
import { PlaceHoldHandler } from './place-hold/place-hold.handler';
import { ProcessServices } from './process-services';
import { UnlimitedBuyerQuota } from './unlimited-buyer-quota';

/**
 * Orders, in the API process: seat holds that expire, several seats at once or best available, confirmed
 * into tickets through the same outbox as a single seat, cancelled, or released by the expiry sweeper.
 * Needs the process's CqrsModule.forRoot(), RedisModule and ConfigModule (global), and its catalog and
 * metrics registry (ProcessServices).
 */
@Module({
  controllers: [HoldsHttpController],
  providers: [
    RedisSeatHolds,
    ProcessServices,
    HoldMetrics,
    // The per-buyer limit plugs in here (src/orders/buyer-limit): until then every claim is granted.
    { provide: BUYER_QUOTA, useClass: UnlimitedBuyerQuota },
    PlaceHoldHandler,
    ConfirmHoldHandler,
    CancelHoldHandler,
    GetHoldHandler,
    HoldExpirySweeper,
  ],
})
export class OrdersModule {}

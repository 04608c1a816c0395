import { Module } from '@nestjs/common';
import { RedisSeatMap } from './redis-seat-map';
import { SEAT_MAP } from './seat-map.port';
import { SeatRebuildRequests } from './seat-rebuild.requests';

/**
 * The seat maps on Redis and the requests to rebuild lost ones: the API sells from them, the worker rebuilds
 * them. Apart from the rest of purchasing so that both processes, and the catalog's ports, can have them
 * without the purchase path. Needs APP_CONFIG and REDIS from the application.
 */
@Module({
  providers: [{ provide: SEAT_MAP, useClass: RedisSeatMap }, SeatRebuildRequests],
  exports: [SEAT_MAP, SeatRebuildRequests],
})
export class SeatMapModule {}

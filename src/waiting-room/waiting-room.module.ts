import { Module } from '@nestjs/common';
import { AdmissionGate } from './admission-gate';
import { QueueHttpController } from './queue.http.controller';
import { RedisWaitingRooms } from './redis-waiting-rooms';
import { WaitingRoomAdminHttpController } from './waiting-room-admin.http.controller';
import { WaitingRoomCache } from './waiting-room.cache';
import { WaitingRoom } from './waiting-room';
import { WaitingRoomMetrics } from './waiting-room.metrics';

/**
 * The virtual waiting room of a sale: a queue per event, admission at the admin's rate, signed tokens the
 * purchase routes check (AdmissionGate). Needs the global REDIS, APP_CONFIG and METRICS_REGISTRY; exports what the live
 * stream and the ops view read.
 */
@Module({
  controllers: [WaitingRoomAdminHttpController, QueueHttpController],
  providers: [RedisWaitingRooms, WaitingRoomCache, WaitingRoom, WaitingRoomMetrics, AdmissionGate],
  exports: [WaitingRoom, WaitingRoomCache],
})
export class WaitingRoomModule {}

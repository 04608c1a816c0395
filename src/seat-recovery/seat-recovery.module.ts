import { Module } from '@nestjs/common';
import { SeatMapModule } from '../purchasing/seat-map/seat-map.module';
import { ReadModelPersistenceModule } from '../read-model/read-model-persistence.module';
import { WriteStoreModule } from '../write-store/write-store.module';
import { SeatMapRebuilder } from './seat-map.rebuilder';
import { WriteStoreBarrierPipelineController } from './write-store-barrier.pipeline.controller';
import { WriteStoreDrainBarrier } from './write-store-drain.barrier';
import { WriteStoreDrainReporter } from './write-store-drain.reporter';

/**
 * The worker's automatic rebuild of seat maps Redis has lost, from the event store, once the write-store
 * pipeline has drained (the barrier, and this worker's drain reports). Needs APP_CONFIG, REDIS
 * (WorkerRedisModule), PIPELINE_SERVERS, CATALOG and EventRepository (CatalogModule) from the application.
 */
@Module({
  imports: [SeatMapModule, WriteStoreModule, ReadModelPersistenceModule],
  controllers: [WriteStoreBarrierPipelineController],
  providers: [WriteStoreDrainReporter, WriteStoreDrainBarrier, SeatMapRebuilder],
})
export class SeatRecoveryModule {}

import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Registry } from 'prom-client';
import type { Catalog } from '../catalog/catalog.schema';
import { CATALOG } from '../catalog/catalog.service';
import { EventRepository } from '../catalog/event.repository';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { ConfigModule } from '../platform/config/config.module';
import { SeatMapRebuilder } from '../seat-recovery/seat-map.rebuilder';
import { SeatRebuildRequests } from '../purchasing/seat-map/seat-rebuild.requests';
import { WorkerRedisLifecycle, workerRedisProvider } from '../seat-recovery/seat-rebuild.redis';
import { WriteStoreBarrierPipelineController } from '../seat-recovery/write-store-barrier.pipeline.controller';
import { WriteStoreDrainBarrier } from '../seat-recovery/write-store-drain.barrier';
import { WriteStoreDrainReporter } from '../seat-recovery/write-store-drain.reporter';
import { UnhandledExceptionsLogger } from '../platform/cqrs/unhandled-exceptions.logger';
import { topologyFor } from '../platform/amqp/topology';
import { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { MetricsModule } from '../platform/metrics/metrics.module';
import { AMQP_PUBLISHER } from '../purchasing/outbox/outbox-relay';
import { RedisSeatMap } from '../purchasing/seat-map/redis-seat-map';
import { SEAT_MAP } from '../purchasing/seat-map/seat-map.port';
import { ReadModelEvents } from '../read-model/read-model-events';
import { ReadModelPersistenceModule } from '../read-model/read-model-persistence.module';
import { WriteStoreModule } from '../write-store/write-store.module';
import type { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';
import { CatalogSeeder } from './catalog-seeder';
import { RefundLedgerBinding } from './refund-ledger.binding';
import { ReadModelPipelineController } from './read-model.pipeline.controller';
import { PIPELINE_SERVERS } from '../platform/amqp/pipeline-servers.token';
import { WorkerHealthHttpController } from './worker-health.http.controller';
import { WorkerMetrics } from './worker-metrics';
import { WriteStorePipelineController } from './write-store.pipeline.controller';

/**
 * The worker process: the two pipelines (DynamoDB write store, MySQL read model) and their health, and the
 * automatic rebuild of seat maps Redis has lost (the worker has the event store and sees the pipelines).
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, catalog: Catalog, servers: AmqpPipelineServer[], metrics: Registry): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        WriteStoreModule,
        ReadModelPersistenceModule,
        MetricsModule.forRoot(metrics),
      ],
      controllers: [
        WriteStorePipelineController,
        ReadModelPipelineController,
        WriteStoreBarrierPipelineController,
        WorkerHealthHttpController,
      ],
      providers: [
        { provide: CATALOG, useValue: catalog },
        { provide: PIPELINE_SERVERS, useValue: servers },
        {
          // Publishes the write store's refusals (TicketCancelled) back onto the exchange.
          provide: AMQP_PUBLISHER,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => new AmqpPublisher(c.AMQP_URL, topologyFor(c.AMQP_NAMESPACE)),
        },
        CatalogSeeder,
        WorkerMetrics,
        UnhandledExceptionsLogger,
        // Seat-map rebuild: Redis only for this, connected in the background (the pipelines do not need it).
        workerRedisProvider,
        WorkerRedisLifecycle,
        { provide: SEAT_MAP, useClass: RedisSeatMap },
        EventRepository,
        ReadModelEvents,
        SeatRebuildRequests,
        WriteStoreDrainReporter,
        WriteStoreDrainBarrier,
        SeatMapRebuilder,
        RefundLedgerBinding,
      ],
    };
  }
}

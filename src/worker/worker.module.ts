import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Registry } from 'prom-client';
import { CatalogModule } from '../catalog/catalog.module';
import type { Catalog } from '../catalog/catalog.schema';
import type { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';
import { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { topologyFor } from '../platform/amqp/topology';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { ConfigModule } from '../platform/config/config.module';
import { UnhandledExceptionsLogger } from '../platform/cqrs/unhandled-exceptions.logger';
import { MetricsModule } from '../platform/metrics/metrics.module';
import { AMQP_PUBLISHER } from '../purchasing/outbox/outbox-relay';
import { ReadModelPersistenceModule } from '../read-model/read-model-persistence.module';
import { TicketProjection } from '../read-model/ticket.projection';
import { SeatRecoveryModule } from '../seat-recovery/seat-recovery.module';
import { WorkerRedisModule } from '../seat-recovery/worker-redis.module';
import { WriteStoreModule } from '../write-store/write-store.module';
import { PipelineServersModule } from './pipeline-servers.module';
import { RefundLedgerBinding } from './refund-ledger.binding';
import { ReadModelPipelineController } from './read-model.pipeline.controller';
import { WorkerHealthHttpController } from './worker-health.http.controller';
import { WorkerMetrics } from './worker-metrics';
import { WriteStorePipelineController } from './write-store.pipeline.controller';

/**
 * The worker process: the two pipelines (DynamoDB write store, MySQL read model) and their health, the
 * catalog recorded in the read model, and the automatic rebuild of seat maps Redis has lost (the worker has
 * the event store and sees the pipelines). The platform modules here are global.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, catalog: Catalog, servers: AmqpPipelineServer[], metrics: Registry): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        MetricsModule.forRoot(metrics),
        PipelineServersModule.forRoot(servers),
        // Redis only for the seat-map rebuild, connected in the background (the pipelines do not need it).
        WorkerRedisModule,
        CatalogModule.forReadModel({ catalog, imports: [ReadModelPersistenceModule], records: TicketProjection }),
        WriteStoreModule,
        ReadModelPersistenceModule,
        SeatRecoveryModule,
      ],
      controllers: [WriteStorePipelineController, ReadModelPipelineController, WorkerHealthHttpController],
      providers: [
        {
          // Publishes the write store's refusals (TicketCancelled) back onto the exchange.
          provide: AMQP_PUBLISHER,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) =>
            new AmqpPublisher(c.AMQP_URL, topologyFor(c.AMQP_NAMESPACE), 'tickets-worker-publisher'),
        },
        WorkerMetrics,
        UnhandledExceptionsLogger,
        RefundLedgerBinding,
      ],
    };
  }
}

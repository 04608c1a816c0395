import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Registry } from 'prom-client';
import type { Catalog } from '../catalog/catalog.schema';
import { CATALOG } from '../catalog/catalog.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { UnhandledExceptionsLogger } from '../cqrs/unhandled-exceptions.logger';
import { topologyFor } from '../messaging/topology';
import { AmqpPublisher } from '../messaging/amqp-publisher';
import { MetricsModule } from '../ops/metrics.module';
import { AMQP_PUBLISHER } from '../purchasing/outbox/outbox-relay';
import { ReadModelPersistenceModule } from '../read-model/read-model-persistence.module';
import { WriteStoreModule } from '../write-store/write-store.module';
import type { AmqpPipelineServer } from './amqp-pipeline.server';
import { CatalogSeeder } from './catalog-seeder';
import { ReadModelPipelineController } from './read-model.pipeline.controller';
import { PIPELINE_SERVERS, WorkerHealthHttpController } from './worker-health.http.controller';
import { WorkerMetrics } from './worker-metrics';
import { WriteStorePipelineController } from './write-store.pipeline.controller';

/** The worker process: the two pipelines (DynamoDB write store, MySQL read model) and their health. */
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
      controllers: [WriteStorePipelineController, ReadModelPipelineController, WorkerHealthHttpController],
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
      ],
    };
  }
}

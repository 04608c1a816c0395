import { Module, type DynamicModule } from '@nestjs/common';
import type { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';
import { PIPELINE_SERVERS } from '../platform/amqp/pipeline-servers.token';

/**
 * The worker's pipeline servers, made before the container (createWorkerApp connects them to it). Global:
 * the worker's health and seat recovery's drain reporter both report on them.
 */
@Module({})
export class PipelineServersModule {
  static forRoot(servers: AmqpPipelineServer[]): DynamicModule {
    return {
      module: PipelineServersModule,
      global: true,
      providers: [{ provide: PIPELINE_SERVERS, useValue: servers }],
      exports: [PIPELINE_SERVERS],
    };
  }
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadCatalog } from '../catalog/catalog.loader';
import { dynamoDbTarget, type AppConfig } from '../platform/config/app-config';
import { topologyFor } from '../platform/amqp/topology';
import { createMetricsRegistry } from '../platform/metrics/metrics-registry';
import { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';
import { AMQP_CONNECTION_NAMES, type AmqpConnectionName } from '../platform/amqp/amqp-connection.factory';
import { PipelineErrorsFilter } from '../platform/amqp/pipeline-errors.filter';
import { READ_MODEL_PIPELINE, WRITE_STORE_PIPELINE } from '../platform/amqp/pipeline-transports';
import { pipelineMessageCounters, pipelineRetryCounters } from './worker-metrics';
import { WorkerModule } from './worker.module';
import { nestLogger } from '../platform/logging/logger-option';
import { capConnections, connectionTimeouts } from '../platform/http/connection-limits';

export interface WorkerApp {
  app: NestFastifyApplication;
  servers: AmqpPipelineServer[];
}

/** Builds the worker (pipelines connected, not yet started): used by main.worker.ts and the tests. */
export async function createWorkerApp(config: AppConfig): Promise<WorkerApp> {
  // A missing DynamoDB setting stops the worker before it opens any connection.
  dynamoDbTarget(config);
  const topology = topologyFor(config.AMQP_NAMESPACE);
  const metrics = createMetricsRegistry();
  const countMessages = pipelineMessageCounters(metrics);
  const countRetries = pipelineRetryCounters(metrics);
  const pipeline = (queue: string, transportId: symbol, name: string, connectionName: AmqpConnectionName) =>
    new AmqpPipelineServer({
      url: config.AMQP_URL,
      connectionName,
      topology,
      queue,
      transportId,
      prefetch: config.WORKER_PREFETCH,
      batchSize: config.WORKER_BATCH_SIZE,
      lingerMs: config.WORKER_BATCH_LINGER_MS,
      maxAttempts: config.WORKER_MAX_ATTEMPTS,
      onMessages: countMessages(name),
      onRetry: countRetries(name),
    });
  const servers = [
    pipeline(
      topology.pipelines.writeStore,
      WRITE_STORE_PIPELINE,
      'write-store',
      AMQP_CONNECTION_NAMES.writeStorePipeline,
    ),
    pipeline(topology.pipelines.readModel, READ_MODEL_PIPELINE, 'read-model', AMQP_CONNECTION_NAMES.readModelPipeline),
  ];
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config, loadCatalog(config.CATALOG_FILE), servers, metrics),
    new FastifyAdapter({ logger: false, ...connectionTimeouts(config) }),
    { logger: nestLogger(config), abortOnError: false },
  );
  capConnections(app.getHttpServer(), config.HTTP_MAX_CONNECTIONS);
  // Before connecting: the pipelines inherit it, and need the original errors (see the filter).
  app.useGlobalFilters(new PipelineErrorsFilter());
  for (const server of servers) app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  return { app, servers };
}

import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadCatalog } from '../catalog/catalog.loader';
import type { AppConfig } from '../config/app-config';
import { topologyFor } from '../messaging/topology';
import { AmqpPipelineServer } from './amqp-pipeline.server';
import { PipelineErrorsFilter } from './pipeline-errors.filter';
import { READ_MODEL_PIPELINE, WRITE_STORE_PIPELINE } from './pipeline-transports';
import { WorkerModule } from './worker.module';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

export interface WorkerApp {
  app: NestFastifyApplication;
  servers: AmqpPipelineServer[];
}

/** Builds the worker (pipelines connected, not yet started): used by main.worker.ts and the tests. */
export async function createWorkerApp(config: AppConfig): Promise<WorkerApp> {
  const topology = topologyFor(config.AMQP_NAMESPACE);
  const pipeline = (queue: string, transportId: symbol) =>
    new AmqpPipelineServer({
      url: config.AMQP_URL,
      topology,
      queue,
      transportId,
      prefetch: config.WORKER_PREFETCH,
      batchSize: config.WORKER_BATCH_SIZE,
      lingerMs: config.WORKER_BATCH_LINGER_MS,
      maxAttempts: config.WORKER_MAX_ATTEMPTS,
    });
  const servers = [
    pipeline(topology.pipelines.writeStore, WRITE_STORE_PIPELINE),
    pipeline(topology.pipelines.readModel, READ_MODEL_PIPELINE),
  ];
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config, loadCatalog(config.CATALOG_FILE), servers),
    new FastifyAdapter({ logger: false }),
    { logger: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1), abortOnError: false },
  );
  // Before connecting: the pipelines inherit it, and need the original errors (see the filter).
  app.useGlobalFilters(new PipelineErrorsFilter());
  for (const server of servers) app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  return { app, servers };
}

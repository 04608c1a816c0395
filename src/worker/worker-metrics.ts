import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/mysql';
import { Counter, Gauge, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { withTimeout } from '../platform/time';
import { QueueDepthProbe } from '../platform/amqp/queue-depth.probe';
import { AMQP_CONNECTION_NAMES } from '../platform/amqp/amqp-connection.factory';
import { deadLetterQueueOf, topologyFor } from '../platform/amqp/topology';
import { METRICS_REGISTRY } from '../platform/metrics/metrics-registry';
import { READ_MODEL_ORM } from '../read-model/read-model-orm';
import { fromSqlDateTime } from '../read-model/sql-datetime';
import type { PipelineMessageResult } from '../platform/amqp/amqp-pipeline.server';

/** Bound on each figure read from a store at scrape time: a scrape must answer while a store hangs. */
const SCRAPE_TIMEOUT_MS = 1000;

/**
 * `tickets_pipeline_messages_total{pipeline, result}`, counted by the pipeline servers themselves. Created
 * before the Nest container because the servers are (see worker.app.ts).
 */
export function pipelineMessageCounters(
  registry: Registry,
): (pipeline: string) => (result: PipelineMessageResult, count: number) => void {
  const messages = new Counter({
    name: 'tickets_pipeline_messages_total',
    help: 'Messages per pipeline: consumed (deliveries, redeliveries included), acked (handled), dead_lettered',
    labelNames: ['pipeline', 'result'],
    registers: [registry],
  });
  return (pipeline) => {
    // Bound once per pipeline: the servers call this for every message.
    const children: Record<PipelineMessageResult, Counter.Internal> = {
      consumed: messages.labels(pipeline, 'consumed'),
      acked: messages.labels(pipeline, 'acked'),
      dead_lettered: messages.labels(pipeline, 'dead_lettered'),
    };
    for (const child of Object.values(children)) child.inc(0); // exported at 0 from the start
    return (result, count) => children[result].inc(count);
  };
}

/**
 * `tickets_pipeline_retries_total{pipeline, reason}`: failed attempts at a batch (or, once split, a message)
 * that the pipeline retries instead of dead-lettering; `reason` is the error's code or name (see retryReason).
 * A rate that does not fall back to 0 is a store the worker cannot write to: the tickets wait in the queue.
 */
export function pipelineRetryCounters(registry: Registry): (pipeline: string) => (reason: string) => void {
  const retries = new Counter({
    name: 'tickets_pipeline_retries_total',
    help: 'Failed attempts at a batch the pipeline retries with backoff (never dead-letters), by error code or name',
    labelNames: ['pipeline', 'reason'],
    registers: [registry],
  });
  return (pipeline) => (reason) => retries.labels(pipeline, reason).inc();
}

/**
 * The worker's gauges read from the stores when Prometheus scrapes, each within SCRAPE_TIMEOUT_MS. A figure
 * that cannot be read is left out of that scrape (no line) rather than reported as a stale or made-up value.
 */
@Injectable()
export class WorkerMetrics implements OnApplicationShutdown {
  private readonly queues: QueueDepthProbe;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(READ_MODEL_ORM) orm: MikroORM,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const queues = (this.queues = new QueueDepthProbe(
      config.AMQP_URL,
      AMQP_CONNECTION_NAMES.workerQueueDepth,
      SCRAPE_TIMEOUT_MS,
    ));
    const deadLetterQueues = Object.values(topologyFor(config.AMQP_NAMESPACE).pipelines).map(deadLetterQueueOf);
    new Gauge({
      name: 'tickets_projection_lag_seconds',
      help: 'Seconds since the newest message a projection checkpoint applied was received (grows while no tickets are sold)',
      labelNames: ['pipeline'],
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await withTimeout(
          orm.em
            .fork()
            .execute<{ pipeline: string; last_message_at: string | null }[]>(
              'select pipeline, last_message_at from projection_checkpoints',
            ),
          SCRAPE_TIMEOUT_MS,
          'projection checkpoints',
        ).catch(() => []);
        const now = Date.now();
        for (const { pipeline, last_message_at } of rows) {
          if (last_message_at === null) continue;
          this.labels(pipeline).set(Math.max(0, (now - Date.parse(fromSqlDateTime(last_message_at))) / 1000));
        }
      },
    });
    new Gauge({
      name: 'tickets_dlq_depth',
      help: 'Messages waiting in a dead-letter queue',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        const depths = await Promise.all(deadLetterQueues.map((queue) => queues.depth(queue).catch(() => undefined)));
        deadLetterQueues.forEach((queue, i) => {
          const depth = depths[i];
          if (depth !== undefined) this.labels(queue).set(depth);
        });
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

import { PIPELINE_SERVERS } from '../platform/amqp/pipeline-servers.token';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { MikroORM } from '@mikro-orm/mysql';
import type { FastifyReply } from 'fastify';
import { CHECK_TIMEOUT_MS, sendReadiness } from '../platform/readiness';
import { READ_MODEL_ORM } from '../read-model/read-model-orm';
import { DYNAMODB, type DynamoClients } from '../write-store/dynamodb.client';
import type { AmqpPipelineServer } from '../platform/amqp/amqp-pipeline.server';

@Controller()
export class WorkerHealthHttpController {
  constructor(
    @Inject(PIPELINE_SERVERS) private readonly servers: AmqpPipelineServer[],
    @Inject(READ_MODEL_ORM) private readonly orm: MikroORM,
    @Inject(DYNAMODB) private readonly dynamodb: DynamoClients,
  ) {}

  @Get(['health', 'health/live'])
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready when every pipeline is consuming and both stores answer, each check bounded to 1 s. The worker
   * uses no Redis, so there is no Redis check.
   */
  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await sendReadiness(reply, {
      rabbitmq: () =>
        this.servers.every((s) => s.consuming) ? Promise.resolve() : Promise.reject(new Error('not consuming')),
      mysql: () => this.orm.em.fork().execute('select 1'),
      // The abort also cancels the SDK's own retries, which would outlast the check.
      dynamodb: () =>
        this.dynamodb.sdk.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
        }),
    });
  }

  /** Items handled and messages dead-lettered per pipeline since the process started. */
  @Get('api/v1/ops/pipelines')
  pipelines(): { queue: string; consuming: boolean; handled: number; deadLettered: number }[] {
    return this.servers.map((s) => ({
      queue: s.queue,
      consuming: s.consuming,
      handled: s.handled,
      deadLettered: s.deadLettered,
    }));
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AmqpPipelineServer } from './amqp-pipeline.server';

export const PIPELINE_SERVERS = Symbol('PIPELINE_SERVERS');

@Controller()
export class WorkerHealthHttpController {
  constructor(@Inject(PIPELINE_SERVERS) private readonly servers: AmqpPipelineServer[]) {}

  @Get('health')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready when every pipeline is consuming. */
  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const ready = this.servers.every((s) => s.consuming);
    await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
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

import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { OutboxRelay } from '../purchasing/outbox/outbox-relay';
import { REDIS } from '../redis/redis.factory';

@Controller()
export class HealthHttpController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly relay: OutboxRelay,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: purchases can be taken (Redis answers). */
  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const redis =
      this.redis.status === 'ready'
        ? await this.redis.ping().then(
            () => true,
            () => false,
          )
        : false;
    await reply.code(redis ? 200 : 503).send({ status: redis ? 'ready' : 'unavailable', redis });
  }

  /** Outbox backlog: reservations taken but not yet confirmed by the broker. */
  @Get('api/v1/ops/outbox')
  async outbox(): Promise<{ backlog: number; publishedByThisProcess: number }> {
    return { backlog: await this.relay.backlog(), publishedByThisProcess: this.relay.publishedCount };
  }
}

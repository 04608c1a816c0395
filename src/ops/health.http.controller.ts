import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/mysql';
import type { FastifyReply } from 'fastify';
import type { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { AMQP_PUBLISHER, OutboxRelay } from '../purchasing/outbox/outbox-relay';
import { READ_MODEL_ORM } from '../read-model/read-model-orm';
import { REDIS, type RedisClient } from '../platform/redis/redis.factory';
import { sendReadiness } from '../platform/readiness';

@Controller()
export class HealthHttpController {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(AMQP_PUBLISHER) private readonly publisher: AmqpPublisher,
    @Inject(READ_MODEL_ORM) private readonly orm: MikroORM,
    private readonly relay: OutboxRelay,
  ) {}

  /** Liveness: the process answers. */
  @Get(['health', 'health/live'])
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness, each check bounded to 1 s: Redis (the seat inventory: no purchase without it), RabbitMQ (the
   * relay's publisher; a closed one is reopened here, so an idle relay is not reported down forever) and
   * MySQL (the queries). The API has no DynamoDB client: the worker checks that store.
   */
  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await sendReadiness(reply, {
      redis: () => this.redis.ping(),
      rabbitmq: () => (this.publisher.isConnected() ? Promise.resolve() : this.publisher.connect()),
      mysql: () => this.orm.em.fork().execute('select 1'),
    });
  }

  /** Outbox backlog: reservations taken but not yet confirmed by the broker. */
  @Get('api/v1/ops/outbox')
  async outbox(): Promise<{ backlog: number; publishedByThisProcess: number }> {
    return { backlog: await this.relay.backlog(), publishedByThisProcess: this.relay.publishedCount };
  }
}

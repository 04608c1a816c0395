import { Module } from '@nestjs/common';
import { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { topologyFor } from '../platform/amqp/topology';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { OutboxMetrics } from './outbox/outbox-metrics';
import { AMQP_PUBLISHER, OutboxRelay } from './outbox/outbox-relay';
import { PurchaseMetrics } from './purchase-seat/purchase-metrics';
import { PurchaseSeatHandler } from './purchase-seat/purchase-seat.handler';
import { PurchaseSeatHttpRoute } from './purchase-seat/purchase-seat.http.route';
import { SeatMapModule } from './seat-map/seat-map.module';

/**
 * The purchase: POST /api/v1/tickets (registered on Fastify by PurchaseSeatHttpRoute, see createApiApp), its
 * handler on the Redis seat map, and the outbox relay that hands the tickets to RabbitMQ. Needs APP_CONFIG,
 * REDIS, METRICS_REGISTRY, CatalogService (CatalogModule) and CqrsModule.forRoot() from the application.
 */
@Module({
  imports: [SeatMapModule],
  providers: [
    {
      provide: AMQP_PUBLISHER,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        new AmqpPublisher(c.AMQP_URL, topologyFor(c.AMQP_NAMESPACE), 'tickets-api-publisher'),
    },
    PurchaseSeatHandler,
    OutboxRelay,
    OutboxMetrics,
    PurchaseMetrics,
    PurchaseSeatHttpRoute,
  ],
  // The relay and its publisher for the API's health check.
  exports: [OutboxRelay, AMQP_PUBLISHER],
})
export class PurchasingModule {}

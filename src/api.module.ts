import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogHttpController } from './catalog/catalog.http.controller';
import type { Catalog } from './catalog/catalog.schema';
import { EVENT_HISTORY, SEAT_INVENTORY, SEAT_MAP_LOSS } from './catalog/catalog.ports';
import { CATALOG, CatalogService } from './catalog/catalog.service';
import { EventRepository } from './catalog/event.repository';
import { OpenSaleHandler } from './catalog/open-sale/open-sale.handler';
import { OpenSaleHttpController } from './catalog/open-sale/open-sale.http.controller';
import { SaleBootstrap } from './catalog/sale-bootstrap';
import { APP_CONFIG, type AppConfig } from './platform/config/app-config';
import { ConfigModule } from './platform/config/config.module';
import { SeatRebuildRequests } from './purchasing/seat-map/seat-rebuild.requests';
import { UnhandledExceptionsLogger } from './platform/cqrs/unhandled-exceptions.logger';
import { topologyFor } from './platform/amqp/topology';
import { AmqpPublisher } from './platform/amqp/amqp-publisher';
import { LiveSeats } from './live/live-seats';
import { SeatFeed } from './live/seat-feed';
import { SeatStreamHttpController } from './live/seat-stream.http.controller';
import { SseClients } from './live/sse-clients';
import { OpsDashboard } from './ops/dashboard/ops-dashboard';
import { OpsDashboardHttpController } from './ops/dashboard/ops-dashboard.http.controller';
import { HealthHttpController } from './ops/health.http.controller';
import { MetricsModule } from './platform/metrics/metrics.module';
import { OutboxMetrics } from './purchasing/outbox/outbox-metrics';
import { AMQP_PUBLISHER, OutboxRelay } from './purchasing/outbox/outbox-relay';
import { PurchaseSeatHandler } from './purchasing/purchase-seat/purchase-seat.handler';
import { PurchaseMetrics } from './purchasing/purchase-seat/purchase-metrics';
import { PurchaseSeatHttpRoute } from './purchasing/purchase-seat/purchase-seat.http.route';
import { RedisSeatMap } from './purchasing/seat-map/redis-seat-map';
import { SEAT_MAP } from './purchasing/seat-map/seat-map.port';
import { ReadModelEventHistory } from './read-model/read-model-event-history';
import { ReadModelEvents } from './read-model/read-model-events';
import { ReadModelPersistenceModule } from './read-model/read-model-persistence.module';
import { ReadModelQueryModule } from './read-model/read-model-query.module';
import { TicketCacheModule } from './read-model/get-ticket/ticket-cache.module';
import { RedisModule } from './platform/redis/redis.module';
import { RefundTicketHandler } from './purchasing/refund-ticket/refund-ticket.handler';
import { RefundTicketHttpController } from './purchasing/refund-ticket/refund-ticket.http.controller';
import { TICKET_LOOKUP } from './purchasing/refund-ticket/ticket-lookup.port';
import { RedisSeatRefunds } from './purchasing/seat-map/redis-seat-refunds';
import { ReadModelTicketLookup } from './read-model/get-ticket/read-model-ticket-lookup';

/** The API process: REST command and query controllers, the seat inventory on Redis, the outbox relay. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, catalog: Catalog): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        CqrsModule.forRoot(),
        ReadModelQueryModule,
        TicketCacheModule,
        // Health checks MySQL through the read model's ORM (the same instance the queries use).
        ReadModelPersistenceModule,
        MetricsModule.forRoot(),
      ],
      // POST /api/v1/tickets is registered on Fastify itself (PurchaseSeatHttpRoute, see createApiApp).
      controllers: [
        OpenSaleHttpController,
        CatalogHttpController,
        HealthHttpController,
        // Live seat maps and the ops view (web/ pages).
        SeatStreamHttpController,
        OpsDashboardHttpController,
        RefundTicketHttpController,
      ],
      providers: [
        { provide: CATALOG, useValue: catalog },
        { provide: SEAT_MAP, useClass: RedisSeatMap },
        ReadModelEvents,
        SeatRebuildRequests,
        ReadModelEventHistory,
        // The catalog's ports, bound to the capabilities that implement them.
        { provide: SEAT_INVENTORY, useExisting: SEAT_MAP },
        { provide: SEAT_MAP_LOSS, useExisting: SeatRebuildRequests },
        { provide: EVENT_HISTORY, useExisting: ReadModelEventHistory },
        {
          provide: AMQP_PUBLISHER,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => new AmqpPublisher(c.AMQP_URL, topologyFor(c.AMQP_NAMESPACE)),
        },
        EventRepository,
        CatalogService,
        SaleBootstrap,
        PurchaseSeatHandler,
        OpenSaleHandler,
        OutboxRelay,
        OutboxMetrics,
        PurchaseMetrics,
        PurchaseSeatHttpRoute,
        UnhandledExceptionsLogger,
        SeatFeed,
        LiveSeats,
        SseClients,
        OpsDashboard,
        RefundTicketHandler,
        RedisSeatRefunds,
        { provide: TICKET_LOOKUP, useClass: ReadModelTicketLookup },
      ],
    };
  }
}

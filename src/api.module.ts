import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule } from './catalog/catalog.module';
import type { Catalog } from './catalog/catalog.schema';
import { LiveModule } from './live/live.module';
import { OpsModule } from './ops/ops.module';
import { OrdersModule } from './orders/orders.module';
import type { AppConfig } from './platform/config/app-config';
import { ConfigModule } from './platform/config/config.module';
import { UnhandledExceptionsLogger } from './platform/cqrs/unhandled-exceptions.logger';
import { MetricsModule } from './platform/metrics/metrics.module';
import { RedisModule } from './platform/redis/redis.module';
import { PurchasingModule } from './purchasing/purchasing.module';
import { RefundTicketHandler } from './purchasing/refund-ticket/refund-ticket.handler';
import { RefundTicketHttpController } from './purchasing/refund-ticket/refund-ticket.http.controller';
import { TICKET_LOOKUP } from './purchasing/refund-ticket/ticket-lookup.port';
import { RedisSeatRefunds } from './purchasing/seat-map/redis-seat-refunds';
import { SeatMapModule } from './purchasing/seat-map/seat-map.module';
import { SEAT_MAP } from './purchasing/seat-map/seat-map.port';
import { SeatRebuildRequests } from './purchasing/seat-map/seat-rebuild.requests';
import { ReadModelTicketLookup } from './read-model/get-ticket/read-model-ticket-lookup';
import { TicketCacheModule } from './read-model/get-ticket/ticket-cache.module';
import { ReadModelEventHistory } from './read-model/read-model-event-history';
import { ReadModelPersistenceModule } from './read-model/read-model-persistence.module';
import { ReadModelQueryModule } from './read-model/read-model-query.module';
import { WaitingRoomModule } from './waiting-room/waiting-room.module';

/**
 * The API process: the catalog and opening sales, purchases on the Redis seat map and the outbox relay, the
 * read model's queries, the live seat map and the ops view. The platform modules here (config, Redis, CQRS,
 * metrics) are global: the capability modules use them without importing them.
 */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, catalog: Catalog): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        CqrsModule.forRoot(),
        MetricsModule.forRoot(),
        // The catalog's ports, bound to the capabilities that implement them.
        CatalogModule.forSale({
          catalog,
          imports: [SeatMapModule, ReadModelPersistenceModule],
          seatInventory: SEAT_MAP,
          seatMapLoss: SeatRebuildRequests,
          eventHistory: ReadModelEventHistory,
        }),
        PurchasingModule,
        OrdersModule,
        ReadModelQueryModule,
        TicketCacheModule,
        WaitingRoomModule,
        LiveModule,
        OpsModule,
        // The refund's SeatRebuildRequests.
        SeatMapModule,
      ],
      controllers: [RefundTicketHttpController],
      providers: [
        UnhandledExceptionsLogger,
        // The refund: purchasing's use case, its ticket lookup bound to the read model's GetTicket query.
        RefundTicketHandler,
        RedisSeatRefunds,
        { provide: TICKET_LOOKUP, useClass: ReadModelTicketLookup },
      ],
    };
  }
}

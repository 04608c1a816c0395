import { Module } from '@nestjs/common';
import { GetTicketHandler } from './get-ticket/get-ticket.handler';
import { GetTicketHttpController } from './get-ticket/get-ticket.http.controller';
import { ListEventTicketsHandler } from './list-event-tickets/list-event-tickets.handler';
import { ListEventTicketsHttpController } from './list-event-tickets/list-event-tickets.http.controller';
import { ReadModelPersistenceModule } from './read-model-persistence.module';
import { SalesByEventHandler } from './sales-by-event/sales-by-event.handler';
import { SalesByEventHttpController } from './sales-by-event/sales-by-event.http.controller';
import { ZoneSeatMapHandler } from './zone-seat-map/zone-seat-map.handler';
import { ZoneSeatMapHttpController } from './zone-seat-map/zone-seat-map.http.controller';

/** The read side of the API: one query, handler and controller per use case. Needs CqrsModule.forRoot(). */
@Module({
  imports: [ReadModelPersistenceModule],
  controllers: [
    GetTicketHttpController,
    SalesByEventHttpController,
    ListEventTicketsHttpController,
    ZoneSeatMapHttpController,
  ],
  providers: [GetTicketHandler, SalesByEventHandler, ListEventTicketsHandler, ZoneSeatMapHandler],
})
export class ReadModelQueryModule {}

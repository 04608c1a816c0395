import { Module } from '@nestjs/common';
import { ReadModelQueryModule } from '../read-model/read-model-query.module';
import { WaitingRoomModule } from '../waiting-room/waiting-room.module';
import { QueueStreamHttpController } from './queue-stream.http.controller';
import { LiveSeats } from './live-seats';
import { SeatFeed } from './seat-feed';
import { SeatStreamHttpController } from './seat-stream.http.controller';
import { SseClients } from './sse-clients';

/**
 * The live seat map: the feed of seats taken (RabbitMQ), each event's seats seeded from the read model's
 * queries, and the server-sent-events stream to the web page. Needs APP_CONFIG, CatalogService
 * (CatalogModule) and CqrsModule.forRoot() from the application.
 */
@Module({
  // The queries LiveSeats sends on the QueryBus; the waiting room whose place a buyer's stream follows.
  imports: [ReadModelQueryModule, WaitingRoomModule],
  controllers: [SeatStreamHttpController, QueueStreamHttpController],
  providers: [SeatFeed, LiveSeats, SseClients],
  // For the ops view, which streams through the same clients and reads the same feed.
  exports: [SeatFeed, LiveSeats, SseClients],
})
export class LiveModule {}

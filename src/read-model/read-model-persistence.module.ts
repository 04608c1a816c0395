import { Module } from '@nestjs/common';
import { READ_MODEL_ORM, ReadModelOrmLifecycle, readModelOrmProvider } from './read-model-orm';
import { ReadModelEventHistory } from './read-model-event-history';
import { ReadModelEvents } from './read-model-events';
import { TicketProjection } from './ticket.projection';

/**
 * The read model's database, its projection and its events table: imported by the worker (projection, the
 * catalog's records, the seat-map rebuild) and by the API (queries through ReadModelQueryModule, the
 * catalog's event history, health). Needs APP_CONFIG (ConfigModule.forRoot). Runs no migrations: that is
 * `npm run migrate` (src/main.migrate.ts), a step of its own before the processes start.
 */
@Module({
  providers: [readModelOrmProvider, ReadModelOrmLifecycle, TicketProjection, ReadModelEvents, ReadModelEventHistory],
  exports: [READ_MODEL_ORM, TicketProjection, ReadModelEvents, ReadModelEventHistory],
})
export class ReadModelPersistenceModule {}

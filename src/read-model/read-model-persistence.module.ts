import { Module } from '@nestjs/common';
import { READ_MODEL_ORM, ReadModelOrmLifecycle, readModelOrmProvider } from './read-model-orm';
import { TicketProjection } from './ticket.projection';

/**
 * The read model's database and its projection: imported by the worker (projection) and, through
 * ReadModelQueryModule, by the API. Needs APP_CONFIG (ConfigModule.forRoot). Runs no migrations: that is
 * `npm run migrate` (src/main.migrate.ts), a step of its own before the processes start.
 */
@Module({
  providers: [readModelOrmProvider, ReadModelOrmLifecycle, TicketProjection],
  exports: [READ_MODEL_ORM, TicketProjection],
})
export class ReadModelPersistenceModule {}

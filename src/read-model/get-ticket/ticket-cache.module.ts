import { Global, Module } from '@nestjs/common';
import { TicketCache } from './ticket-cache';

/**
 * Read-your-writes for GET /api/v1/tickets/:id, in the API (it needs the RedisModule). Without this
 * module the query answers from the read model alone.
 */
@Global()
@Module({ providers: [TicketCache], exports: [TicketCache] })
export class TicketCacheModule {}

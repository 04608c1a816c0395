import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../platform/redis/redis.factory';
import { RedisSeatRefunds } from '../purchasing/seat-map/redis-seat-refunds';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../write-store/ticket-write-store.port';

/**
 * Gives the write store the refunds Redis recorded: a resale that reaches a seat before the refund that
 * freed it is then recorded after that refund instead of being refused (see seat-stream.decider.ts). Asked
 * only on a conflict, so the worker's pipelines do not otherwise depend on Redis.
 */
@Injectable()
export class RefundLedgerBinding {
  constructor(@Inject(TICKET_WRITE_STORE) store: TicketWriteStore, @Inject(REDIS) redis: RedisClient) {
    store.useRefundLedger(new RedisSeatRefunds(redis));
  }
}

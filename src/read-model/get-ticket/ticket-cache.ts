import { Inject, Injectable, Logger } from '@nestjs/common';
import { partitionOfTicketId } from '../../purchasing/ticket-id';
import type { TicketRefundedData } from '../../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../../purchasing/ticket-reserved.event';
import { ticketCacheKey } from '../../purchasing/seat-map/seat-map.keys';
import { REDIS, TICKET_CACHE_REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import type { TicketView } from '../ticket.view';

const WARN_EVERY_MS = 60_000;

/**
 * Tickets reserved moments ago, read from the entry the reservation script wrote with the seat
 * (`ticket:{pN}:<id>`, TICKET_CACHE_TTL_SECONDS): read-your-writes for a buyer who asks for a ticket the
 * read model does not have yet. Lookups go to TICKET_CACHE_REDIS (a replica, so they do not load the
 * master); a miss there may only be replication lag, so it is asked again of the write Redis, and a 201
 * is always followed by a 200.
 */
@Injectable()
export class TicketCache {
  private readonly logger = new Logger(TicketCache.name);
  private lastWarnAt = 0;

  constructor(
    @Inject(TICKET_CACHE_REDIS) private readonly reader: RedisClient,
    @Inject(REDIS) private readonly writer: RedisClient,
  ) {}

  async find(ticketId: string): Promise<TicketView | undefined> {
    const partition = partitionOfTicketId(ticketId);
    // Ids not made by newTicketId were never cached.
    if (partition === undefined) return undefined;
    const key = ticketCacheKey(partition, ticketId);
    let json = await this.reader.get(key).catch((error: Error) => {
      if (this.reader === this.writer) throw error;
      this.warnThrottled(`ticket cache Redis not answering, asking the write Redis: ${error.message}`);
      return null;
    });
    if (json === null && this.reader !== this.writer) json = await this.writer.get(key);
    return json === null ? undefined : viewOf(JSON.parse(json) as TicketReservedData & Partial<TicketRefundedData>);
  }

  private warnThrottled(message: string): void {
    if (Date.now() - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = Date.now();
    this.logger.warn(message);
  }
}

/** The entry holds the reservation, or the refund once the ticket was refunded (refund-seat.lua). */
function viewOf(t: TicketReservedData & Partial<TicketRefundedData>): TicketView {
  const view: TicketView = {
    ticketId: t.ticketId,
    venueId: t.venueId,
    eventId: t.eventId,
    zoneId: t.zoneId,
    row: t.row,
    column: t.column,
    price: t.price,
    status: t.refundedOn === undefined ? 'RESERVED' : 'REFUNDED',
    createdOn: t.createdOn,
  };
  if (t.refundedOn !== undefined) view.refundedOn = t.refundedOn;
  if (t.reason !== undefined) view.reason = t.reason;
  return view;
}

import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { RedisSeatRefunds } from '../seat-map/redis-seat-refunds';
import { SeatRebuildRequests } from '../seat-map/seat-rebuild.requests';
import { TicketRefundedEvent, type TicketRefundedData } from '../ticket-refunded.event';
import { RefundTicketCommand } from './refund-ticket.command';
import type { RefundTicketOutcome } from './refund-ticket.outcome';
import { TICKET_LOOKUP, type TicketLookup } from './ticket-lookup.port';

/**
 * Refunds a confirmed ticket and puts its seat back on sale. The read side tells whether the ticket exists
 * and is refundable; the refund script then decides atomically in the zone's slot (a per-ticket record taken
 * once, the seat's bit and counters given back, the TicketRefunded appended to the outbox), so concurrent
 * refunds of one ticket refund it once, and a refund the read side has not seen yet is still refused.
 */
@CommandHandler(RefundTicketCommand)
export class RefundTicketHandler implements ICommandHandler<RefundTicketCommand, RefundTicketOutcome> {
  constructor(
    @Inject(TICKET_LOOKUP) private readonly tickets: TicketLookup,
    private readonly seatRefunds: RedisSeatRefunds,
    private readonly rebuildRequests: SeatRebuildRequests,
    private readonly eventBus: EventBus,
  ) {}

  async execute({ ticketId, reason }: RefundTicketCommand): Promise<RefundTicketOutcome> {
    const known = await this.tickets.find(ticketId);
    if (known === undefined) return { kind: 'NOT_FOUND', message: `ticket ${ticketId} not found` };
    if (known.status === 'CANCELLED') return { kind: 'TICKET_CANCELLED' };
    // Checked here as well as by the script's record: the read model outlives a Redis that lost its data.
    if (known.status === 'REFUNDED')
      return { kind: 'ALREADY_REFUNDED', refundedOn: known.refundedOn ?? 'an earlier date' };
    const { venueId, eventId, zoneId, row, column, price, createdOn } = known;
    const refund: TicketRefundedData = {
      ticketId,
      venueId,
      eventId,
      zoneId,
      row,
      column,
      price,
      createdOn,
      refundedOn: new Date().toISOString(),
      ...(reason !== undefined && { reason }),
    };
    const result = await this.seatRefunds.refund(refund);
    switch (result.code) {
      case 'REFUNDED':
        this.eventBus.publish(new TicketRefundedEvent(refund));
        return { kind: 'REFUNDED', ticket: refund };
      case 'ALREADY_REFUNDED':
        return { kind: 'ALREADY_REFUNDED', refundedOn: result.refund.refundedOn };
      case 'NOT_OPEN':
        // As for a purchase: Redis lost the zone's map; a worker rebuilds it from the event store.
        this.rebuildRequests.request(eventId);
        return {
          kind: 'SALE_UNAVAILABLE',
          message: `the seat map of event ${eventId} zone ${zoneId} is being restored; retry shortly`,
        };
    }
  }
}

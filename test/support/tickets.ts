import { randomUUID } from 'node:crypto';
import type { TicketCancelledData } from '../../src/purchasing/ticket-cancelled.event';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';

/** A TicketReserved payload as the purchase path emits it: seat 1-A1 of Arena, created now, unless told otherwise. */
export function reservedTicket(
  eventId: string,
  fields: Partial<Omit<TicketReservedData, 'eventId'>> = {},
): TicketReservedData {
  return {
    ticketId: randomUUID(),
    venueId: 'Arena',
    eventId,
    zoneId: 1,
    row: 'A',
    column: 1,
    price: 100,
    createdOn: new Date().toISOString(),
    ...fields,
  };
}

/** The write store's refusal of a ticket. */
export function cancelledTicket(ticket: TicketReservedData, reason = 'SEAT_TAKEN_IN_WRITE_STORE'): TicketCancelledData {
  return { ...ticket, reason, cancelledOn: new Date().toISOString() };
}

/** An operator's refund of a ticket, as refund-seat.lua appends it to the outbox. */
export function refundedTicket(ticket: TicketReservedData, reason?: string): TicketRefundedData {
  return { ...ticket, refundedOn: new Date().toISOString(), ...(reason !== undefined && { reason }) };
}

import { randomUUID } from 'node:crypto';
import type { TicketCancelledData } from '../../src/purchasing/ticket-cancelled.event';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';

/** A TicketReserved fact as the purchase path emits it. */
export function reservedTicket(
  eventId: string,
  seat: { zoneId?: number; row?: string; column?: number; venueId?: string; price?: number } = {},
  createdOn = new Date(),
): TicketReservedData {
  return {
    ticketId: randomUUID(),
    venueId: seat.venueId ?? 'Arena',
    eventId,
    zoneId: seat.zoneId ?? 1,
    row: seat.row ?? 'A',
    column: seat.column ?? 1,
    price: seat.price ?? 100,
    createdOn: createdOn.toISOString(),
  };
}

/** The write store's refusal of a ticket. */
export function cancelledTicket(ticket: TicketReservedData, reason = 'SEAT_TAKEN_IN_WRITE_STORE'): TicketCancelledData {
  return { ...ticket, reason, cancelledOn: new Date().toISOString() };
}

/*
 * How a TicketCreation is laid out in the tickets table so that no write can take it back to an older state.
 * Writers derive a ticket's record from their own read of its seat stream, and their writes land in any
 * order (two workers, a slow connection, a redelivery): a RESERVED derived before the ticket's refund may
 * land after the REFUNDED derived after it. BatchWriteItem puts whole items with no condition, so one item
 * holding "the" state would end on whichever write landed last.
 *
 * Instead each item is a pure function of one stream item, so every write of it puts the same content and
 * their order does not matter:
 *   - the ticket item, key ticketId: its reservation (RESERVED) or refusal (CANCELLED), never changed after;
 *   - the refund item, key `<ticketId>#refund`: the REFUNDED record, from the reservation and the refund
 *     (ticket ids are UUIDs, checked when a message arrives, so no ticket item has such a key).
 * A ticket with a refund item is REFUNDED, whatever its ticket item says. A refund only follows a
 * reservation, so a refunded ticket's ticket item is RESERVED.
 */
import type { TicketCreation } from './ticket-write-store.port';

const REFUND_SUFFIX = '#refund';

/** The key of a ticket's refund item. */
export const refundItemKey = (ticketId: string): string => `${ticketId}${REFUND_SUFFIX}`;

/** The items that record `creation`: its ticket item, and its refund item once it is refunded. */
export function itemsOf(creation: TicketCreation): TicketCreation[] {
  if (creation.status !== 'REFUNDED') return [creation];
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = creation;
  return [
    { ticketId, venueId, eventId, zoneId, row, column, price, createdOn, status: 'RESERVED' },
    { ...creation, ticketId: refundItemKey(ticketId) },
  ];
}

/**
 * The records a set of items tells, one per ticket, in the order their tickets first appear: a refund item
 * wins over its ticket item. A ticket item that says REFUNDED was written before refunds had items of their
 * own, and stays as it is.
 */
export function creationsOf(items: readonly TicketCreation[]): TicketCreation[] {
  const byTicket = new Map<string, TicketCreation>();
  for (const item of items) {
    if (item.ticketId.endsWith(REFUND_SUFFIX)) {
      const ticketId = item.ticketId.slice(0, -REFUND_SUFFIX.length);
      byTicket.set(ticketId, { ...item, ticketId });
    } else if (byTicket.get(item.ticketId)?.status !== 'REFUNDED') {
      byTicket.set(item.ticketId, item);
    }
  }
  return [...byTicket.values()];
}

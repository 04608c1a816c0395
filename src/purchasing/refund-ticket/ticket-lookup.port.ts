import type { TicketReservedData } from '../ticket-reserved.event';

/** A ticket as the read side knows it, with its status: what a refund starts from. */
export interface KnownTicket extends TicketReservedData {
  readonly status: 'RESERVED' | 'CANCELLED' | 'REFUNDED';
  readonly refundedOn?: string;
}

/**
 * Finds a ticket by id: the read model, or the reservation's own cache entry for a ticket bought moments ago
 * (read-your-writes). Declared here, bound by the API module to the read model's GetTicket query, so
 * purchasing imports no capability above it.
 */
export interface TicketLookup {
  find(ticketId: string): Promise<KnownTicket | undefined>;
}
export const TICKET_LOOKUP = Symbol('TICKET_LOOKUP');

/** The read side cannot answer now (its database unreachable): the refund is answered 503, retry later. */
export class TicketLookupUnavailableError extends Error {
  override readonly name = 'TicketLookupUnavailableError';
}

import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';

/**
 * What persisting one TicketReserved ended in. All three are acknowledged; only infrastructure failures throw.
 * - STORED: this call appended the ticket as its seat's owner.
 * - DUPLICATE: the ticket already owns its seat (a redelivery, or a concurrent copy got there first);
 *   nothing new was recorded, though a missing TicketCreation is completed.
 * - CANCELLED: the ticket's seat belongs to another ticket, so it is recorded as a TicketCancelled — by this
 *   call or an earlier delivery: every delivery of a refused ticket answers CANCELLED, so a TicketCancelled
 *   lost in a crash before the broker ack is published again.
 */
export type PersistOutcome =
  | { readonly ticketId: string; readonly status: 'STORED' }
  | { readonly ticketId: string; readonly status: 'DUPLICATE' }
  | {
      readonly ticketId: string;
      readonly status: 'CANCELLED';
      readonly reason: string;
      readonly cancelled: TicketCancelledData;
    };

/**
 * What recording one TicketRefunded ended in. All are acknowledged.
 * - REFUNDED: the refund is on its seat's stream (appended by this call or an earlier delivery; its
 *   TicketCreation is rewritten REFUNDED every time, so a crash between the two writes heals on redelivery).
 * - IGNORED: the ticket never owned its seat on the stream (the write store refused it as TicketCancelled):
 *   nothing is appended; the ticket stays CANCELLED.
 */
export type RefundOutcome =
  | { readonly ticketId: string; readonly status: 'REFUNDED' }
  | { readonly ticketId: string; readonly status: 'IGNORED'; readonly reason: string };

import type { TicketRefundedData } from '../ticket-refunded.event';

/** Everything a refund can end in. Business outcomes are values; only infrastructure failures throw. */
export type RefundTicketOutcome =
  | { readonly kind: 'REFUNDED'; readonly ticket: TicketRefundedData }
  | { readonly kind: 'NOT_FOUND'; readonly message: string }
  /** Refunded before (this request lost the race, or a retry): the first refund stands. */
  | { readonly kind: 'ALREADY_REFUNDED'; readonly refundedOn: string }
  /** The write store refused the ticket: it never held its seat, there is nothing to give back. */
  | { readonly kind: 'TICKET_CANCELLED' }
  /** The seat map of the ticket's zone is missing (Redis lost it): 503 until it is rebuilt. */
  | { readonly kind: 'SALE_UNAVAILABLE'; readonly message: string };

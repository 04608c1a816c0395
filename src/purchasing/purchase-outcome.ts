import type { TicketReservedData } from './ticket-reserved.event';

/** Everything a purchase can end in. Business outcomes are values; only infrastructure failures throw. */
export type PurchaseOutcome =
  | {
      readonly kind: 'RESERVED';
      readonly ticket: TicketReservedData;
      /** The ticket's JSON as the outbox carries it: the 201 body is built from it, not serialised again. */
      readonly json: string;
      readonly replayed: boolean;
    }
  | { readonly kind: 'SEAT_TAKEN' | 'ROW_SOLD_OUT' | 'ZONE_SOLD_OUT' }
  | { readonly kind: 'NOT_FOUND'; readonly message: string }
  /** The event exists but its seat map is missing (Redis lost it): 503 until it is rebuilt. */
  | { readonly kind: 'SALE_UNAVAILABLE'; readonly message: string }
  | { readonly kind: 'IDEMPOTENCY_KEY_REUSED' };

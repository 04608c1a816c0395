import type { HeldSeat, HoldRecord } from '../purchasing/seat-map/redis-seat-holds';

/** A hold that took its seats. */
export interface PlacedHold {
  readonly holdId: string;
  readonly eventId: string;
  readonly zoneId: number;
  readonly buyerId: string;
  readonly seats: readonly HeldSeat[];
  /** The zone's ticket price times the seats. */
  readonly total: number;
  /** ms on the Redis clock. */
  readonly expiresAt: number;
}

/**
 * Everything a hold request (place, confirm, cancel, look up) can end in. Business outcomes are values;
 * only infrastructure failures throw. Mapped to HTTP in one place: order-outcome.http.ts.
 */
export type PlaceHoldOutcome =
  | ({ readonly kind: 'HELD' } & PlacedHold)
  /** `seat`: the first listed seat found taken, or whose row is sold out. */
  | {
      readonly kind: 'SEAT_TAKEN' | 'ROW_SOLD_OUT' | 'DUPLICATE_SEAT';
      readonly zoneId: number;
      readonly seat: HeldSeat;
    }
  | { readonly kind: 'ZONE_SOLD_OUT' | 'NOT_ENOUGH_ADJACENT' }
  | { readonly kind: 'BUYER_LIMIT'; readonly held: number; readonly limit: number }
  | { readonly kind: 'NOT_FOUND'; readonly message: string }
  /** The event exists but the zone's seat map is missing (Redis lost it): 503 until it is rebuilt. */
  | { readonly kind: 'SALE_UNAVAILABLE'; readonly message: string };

export type ConfirmHoldOutcome =
  /** `tickets`: the TicketReserved payloads as a JSON array, the same for every confirm of the hold. */
  | { readonly kind: 'CONFIRMED'; readonly hold: HoldRecord; readonly tickets: string }
  /** HOLD_LOST: the zone's seat map was lost and rebuilt since the hold; its seats are not the hold's any more. */
  | { readonly kind: 'HOLD_EXPIRED' | 'HOLD_NOT_FOUND' | 'HOLD_LOST' };

export type CancelHoldOutcome =
  /** Released now, or nothing to release (unknown, released or expired already): the same answer to a retry. */
  { readonly kind: 'CANCELLED' } | { readonly kind: 'HOLD_CONFIRMED' };

export type GetHoldOutcome =
  { readonly kind: 'HOLD_FOUND'; readonly hold: HoldRecord } | { readonly kind: 'HOLD_NOT_FOUND' };

export type OrderOutcome = PlaceHoldOutcome | ConfirmHoldOutcome | CancelHoldOutcome | GetHoldOutcome;

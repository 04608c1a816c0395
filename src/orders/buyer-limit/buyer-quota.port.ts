/**
 * The per-buyer seat limit of an event (MAX_SEATS_PER_BUYER_PER_EVENT), counted over holds and confirmed
 * tickets across zones, whatever shard each zone lives on. The protocol a caller follows:
 *
 * 1. `claim` the seats before taking them, under an id of its own (the hold id, or the ticket id of a
 *    single-seat purchase). Refused: answer BUYER_LIMIT, take nothing.
 * 2. Take the seats only before the claim's `notAfter` (hold-seats.lua refuses after it: CLAIM_EXPIRED).
 * 3. Then: `held` with the hold's expiry; or `release` when nothing was taken (refused, expired claim).
 * 4. Confirm: `sold` (see ARCHITECTURE.md "Per-buyer limit across shards" for the order); cancel or expiry of
 *    a held hold: `release`; refund of a ticket: `refund`.
 *
 * Every step is idempotent, so a retried request repeats it safely; a step that never runs (a crash) leaves
 * the ledger counting more than the buyer has, never less, until the entry's deadline passes.
 */
export const BUYER_QUOTA = Symbol('BUYER_QUOTA');

export type QuotaClaim =
  /** Take the seats before `notAfter` (ms, Redis clock), or not at all. */
  | { readonly ok: true; readonly notAfter: number }
  /** The buyer already holds or owns `held` seats of the event; `held` + the claim would pass `limit`. */
  | { readonly ok: false; readonly code: 'BUYER_LIMIT'; readonly held: number; readonly limit: number };

export interface BuyerQuota {
  /** Reserves `seats` of the buyer's limit under `claimId`; a repeat of the same claim is answered ok again. */
  claim(eventId: string, buyerId: string, claimId: string, seats: number): Promise<QuotaClaim>;
  /**
   * The claim's seats are held until `expiresAt` (the hold's, ms on the Redis clock): the entry counts until
   * then plus BUYER_QUOTA_GRACE_SECONDS. Written even if the entry is gone (counting more is the safe side).
   */
  held(eventId: string, buyerId: string, claimId: string, seats: number, expiresAt: number): Promise<void>;
  /** The claim's seats are sold: the entry counts for good. False when there was no entry (nothing written). */
  sold(eventId: string, buyerId: string, claimId: string): Promise<boolean>;
  /** The claim took no seats, or gave them back: it stops counting. */
  release(eventId: string, buyerId: string, claimId: string): Promise<void>;
  /**
   * `seats` of a sold claim were refunded (`refundId`, e.g. the ticket id, makes a repeat a no-op): they stop
   * counting. False when that refund was counted already or the claim has no entry.
   */
  refund(eventId: string, buyerId: string, claimId: string, refundId: string, seats: number): Promise<boolean>;
}

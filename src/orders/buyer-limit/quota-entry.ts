/**
 * One claim in a buyer's ledger, as claim-quota.lua and mark-quota.lua read and write it:
 * `<seats>|<state>|<untilMs>`.
 *
 * - `pending`: claimed, seats perhaps not taken yet. Counts until the claim's `notAfter` plus the longest hold
 *   plus the grace: a hold taken just before `notAfter` is covered until it can no longer be confirmed.
 * - `held`: counts until the hold's `expiresAt` plus the grace (confirm refuses after `expiresAt`).
 * - `sold`: counts for good (`untilMs` 0). A refund marker `refund:<id>` is a sold entry of 0 seats.
 *
 * The scripts implement the same rule in Lua; this module is the TypeScript reading of it (tests, queries).
 */
export type QuotaState = 'pending' | 'held' | 'sold';

export interface QuotaEntry {
  readonly seats: number;
  readonly state: QuotaState;
  /** Ms on the ledger's Redis clock; 0 for sold. */
  readonly untilMs: number;
}

const ENTRY = /^(\d+)\|(pending|held|sold)\|(\d+)$/;

export function parseQuotaEntry(value: string): QuotaEntry {
  const match = ENTRY.exec(value);
  if (match === null) throw new Error(`not a buyer quota entry: ${JSON.stringify(value)}`);
  return { seats: Number(match[1]), state: match[2] as QuotaState, untilMs: Number(match[3]) };
}

export const formatQuotaEntry = ({ seats, state, untilMs }: QuotaEntry): string => `${seats}|${state}|${untilMs}`;

/** Whether the entry still counts at `nowMs`: sold always, the others up to and including their deadline. */
export const countsAt = (entry: QuotaEntry, nowMs: number): boolean => entry.state === 'sold' || nowMs <= entry.untilMs;

/** The seats a ledger counts against the limit at `nowMs`. */
export function countedSeats(entries: Iterable<QuotaEntry>, nowMs: number): number {
  let total = 0;
  for (const entry of entries) if (countsAt(entry, nowMs)) total += entry.seats;
  return total;
}

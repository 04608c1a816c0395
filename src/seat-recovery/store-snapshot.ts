/** One store's view of an event's tickets, reduced to what the stores must agree on. */
export interface StoreSnapshot {
  readonly store: string;
  /** Live ticket ids per seat key `zone:RowColumn`; more than one is a doubled seat. */
  readonly liveBySeat: Map<string, string[]>;
  readonly cancelled: Set<string>;
  /** Refunded tickets: their seats are free unless sold again to another (live) ticket. */
  readonly refunded: Set<string>;
  readonly revenue: number;
}

export interface SnapshotTicket {
  ticketId: string;
  zoneId: number;
  row: string;
  column: number;
  price: number;
  status: string;
}

export const seatKeyOf = (t: { zoneId: number; row: string; column: number }): string =>
  `${t.zoneId}:${t.row}${t.column}`;

export function snapshotOf(store: string, tickets: readonly SnapshotTicket[]): StoreSnapshot {
  const liveBySeat = new Map<string, string[]>();
  const cancelled = new Set<string>();
  const refunded = new Set<string>();
  let revenue = 0;
  for (const t of tickets) {
    if (t.status === 'RESERVED') {
      const key = seatKeyOf(t);
      liveBySeat.set(key, [...(liveBySeat.get(key) ?? []), t.ticketId]);
      revenue += t.price;
    } else if (t.status === 'REFUNDED') {
      refunded.add(t.ticketId);
    } else {
      cancelled.add(t.ticketId);
    }
  }
  return { store, liveBySeat, cancelled, refunded, revenue: Math.round(revenue * 100) / 100 };
}

export const liveIds = (s: StoreSnapshot): Set<string> => new Set([...s.liveBySeat.values()].flat());

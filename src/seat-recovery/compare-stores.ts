import { liveIds, type StoreSnapshot } from './store-snapshot';

export interface SeatMapSnapshot {
  /** Seat keys `zone:RowColumn` whose bit is set. */
  readonly taken: Set<string>;
  /** Counter problems found while reading (counters that disagree with the bitmap, missing zones). */
  readonly problems: string[];
}

export interface ComparisonReport {
  readonly figures: Record<string, number>;
  readonly differences: string[];
}

const MAX_LISTED = 20;

function listDifference(label: string, items: string[], into: string[]): void {
  if (items.length === 0) return;
  const shown = items.slice(0, MAX_LISTED).join(', ');
  into.push(`${label} (${items.length}): ${shown}${items.length > MAX_LISTED ? ', …' : ''}`);
}

/**
 * Compares the seat map (Redis) with the write store (DynamoDB) and the read model (MySQL) for one event:
 * every taken seat has exactly one live ticket, both stores hold the same live, cancelled and refunded
 * tickets, and the revenue agrees. A refunded ticket is not live, so its seat must be free in Redis unless
 * another live ticket bought it again. Pure: the snapshots are read by the caller.
 */
export function compareStores(seatMap: SeatMapSnapshot, write: StoreSnapshot, read: StoreSnapshot): ComparisonReport {
  const differences: string[] = [...seatMap.problems];
  for (const store of [write, read]) {
    const doubled = [...store.liveBySeat]
      .filter(([, ids]) => ids.length > 1)
      .map(([seat, ids]) => `${seat}=${ids.join('+')}`);
    listDifference(`${store.store}: seats with more than one live ticket`, doubled, differences);
  }
  const writeSeats = new Set(write.liveBySeat.keys());
  listDifference(
    `seats taken in redis without a live ticket in ${write.store}`,
    [...seatMap.taken].filter((s) => !writeSeats.has(s)),
    differences,
  );
  listDifference(
    `live tickets in ${write.store} on seats free in redis`,
    [...writeSeats].filter((s) => !seatMap.taken.has(s)),
    differences,
  );
  const writeLive = liveIds(write);
  const readLive = liveIds(read);
  listDifference(
    `live in ${write.store}, not live in ${read.store}`,
    [...writeLive].filter((id) => !readLive.has(id)),
    differences,
  );
  listDifference(
    `live in ${read.store}, not live in ${write.store}`,
    [...readLive].filter((id) => !writeLive.has(id)),
    differences,
  );
  listDifference(
    `cancelled in ${write.store}, not cancelled in ${read.store}`,
    [...write.cancelled].filter((id) => !read.cancelled.has(id)),
    differences,
  );
  listDifference(
    `cancelled in ${read.store}, not cancelled in ${write.store}`,
    [...read.cancelled].filter((id) => !write.cancelled.has(id)),
    differences,
  );
  listDifference(
    `refunded in ${write.store}, not refunded in ${read.store}`,
    [...write.refunded].filter((id) => !read.refunded.has(id)),
    differences,
  );
  listDifference(
    `refunded in ${read.store}, not refunded in ${write.store}`,
    [...read.refunded].filter((id) => !write.refunded.has(id)),
    differences,
  );
  if (write.revenue !== read.revenue)
    differences.push(`revenue: ${write.store} ${write.revenue}, ${read.store} ${read.revenue}`);
  return {
    figures: {
      redisTaken: seatMap.taken.size,
      [`${write.store}Live`]: writeLive.size,
      [`${read.store}Live`]: readLive.size,
      [`${write.store}Cancelled`]: write.cancelled.size,
      [`${read.store}Cancelled`]: read.cancelled.size,
      [`${write.store}Refunded`]: write.refunded.size,
      [`${read.store}Refunded`]: read.refunded.size,
      [`${write.store}Revenue`]: write.revenue,
      [`${read.store}Revenue`]: read.revenue,
    },
    differences,
  };
}

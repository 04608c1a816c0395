/** A seedable PRNG (mulberry32) so a failing load scenario can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedSeat {
  zoneId: number;
  row: string;
  column: number;
}

export const seatKey = (s: PlannedSeat): string => `${s.zoneId}:${s.row}${s.column}`;

/**
 * Every distinct seat once plus `ratio * distinct` extra requests for seats drawn from them, shuffled.
 * Seats fill column by column across rows, so no row sells out unless the zone fills up.
 */
export function seatPlan(
  zoneIds: number[],
  rows: number,
  distinct: number,
  ratio: number,
  seed: number,
): PlannedSeat[] {
  const random = seededRandom(seed);
  const seats: PlannedSeat[] = [];
  for (let i = 0; i < distinct; i++) {
    const zoneId = zoneIds[i % zoneIds.length]!;
    const j = Math.floor(i / zoneIds.length);
    seats.push({ zoneId, row: String.fromCharCode(65 + (j % rows)), column: Math.floor(j / rows) + 1 });
  }
  const plan = [...seats];
  const extras = Math.round(distinct * ratio);
  for (let i = 0; i < extras; i++) plan.push(seats[Math.floor(random() * distinct)]!);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

import type { Venue } from '../../src/catalog/catalog.schema';
import { seededRandom } from '../support/seat-plan';
import type { SeatRequest } from './sale-result';

const rowName = (index: number): string => String.fromCharCode(65 + index);

/** Every seat of the venue's first `zones` zones, zone by zone, row by row. */
export function everySeat(venue: Venue, zones = venue.zones.length): SeatRequest[] {
  const seats: SeatRequest[] = [];
  for (const zone of venue.zones.slice(0, zones))
    for (let r = 0; r < zone.rowCount; r++)
      for (let column = 1; column <= zone.colCount; column++)
        seats.push({ zoneId: zone.zoneId, row: rowName(r), column });
  return seats;
}

/**
 * The seat-conflict workload of the JMeter runs: each seat once, plus `ratio × seats` extra requests for
 * seats drawn at random from them, all shuffled (seeded, so a failing run can be replayed).
 */
export function withDuplicates(seats: readonly SeatRequest[], ratio: number, seed: number): SeatRequest[] {
  const random = seededRandom(seed);
  const plan = [...seats];
  const extras = Math.round(seats.length * ratio);
  for (let i = 0; i < extras; i++) plan.push(seats[Math.floor(random() * seats.length)]!);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

/** `commands` requests spread round-robin over a few hot seats: the storm when a sale opens on the best seats. */
export function hotSeatStorm(hotSeats: readonly SeatRequest[], commands: number): SeatRequest[] {
  return Array.from({ length: commands }, (_, i) => hotSeats[i % hotSeats.length]!);
}

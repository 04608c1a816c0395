import type { SeatRequest } from './sale-result';

export { everySeat, withDuplicates } from '../../scripts/seat-plan';

/** `commands` requests spread round-robin over a few hot seats: the storm when a sale opens on the best seats. */
export function hotSeatStorm(hotSeats: readonly SeatRequest[], commands: number): SeatRequest[] {
  return Array.from({ length: commands }, (_, i) => hotSeats[i % hotSeats.length]!);
}

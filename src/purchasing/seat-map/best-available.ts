/**
 * "Best available": which `quantity` seats of a zone the platform picks for a buyer who asks for seats
 * without naming them. This is the reference; hold-seats.lua runs the same choice inside Redis (where it
 * is atomic with taking the seats), and an integration property test compares the two on random zones.
 *
 * The rule, in order:
 * 1. The seats are one block of `quantity` adjacent free seats in one row.
 * 2. A block is CLEAN when it leaves no single free seat isolated beside it: on each side, the seat next
 *    to the block is taken, or is the row's edge, or is free together with the seat after it. A block
 *    that stops exactly one seat short of a taken seat or of the edge strands that seat: nobody who buys
 *    in pairs can use it, and a single buyer rarely wants it.
 * 3. Stranding is avoided across the whole zone, not only within a row: the nearest row to the stage
 *    (row A first) that has a clean block wins. Only when no row has a clean block does the nearest row
 *    with any block win. So a pair may be seated one row further back rather than strand a seat, which is
 *    the point of the rule ("no single-seat gap where it can avoid one").
 * 4. Within the chosen row, the (clean, or else any) block whose centre is nearest the row's centre wins;
 *    on a tie (two blocks equally off centre, one on each side) the leftmost wins, so the choice is
 *    deterministic and the same in TypeScript and Lua.
 *
 * Distances are compared doubled to stay in integers: a block starting at column s (1-based) has its
 * centre at s + (q - 1) / 2 and the row's centre is at (cols + 1) / 2, so 2 × distance = |2s + q − cols − 2|.
 *
 * No block anywhere: ZONE_SOLD_OUT when the zone has no free seat at all, NOT_ENOUGH_ADJACENT otherwise.
 */
export interface BestAvailableRequest {
  readonly rows: number;
  readonly cols: number;
  readonly quantity: number;
  /** rowIndex is 0-based (row A = 0), column 1-based, as in the seat bitmap. */
  readonly isTaken: (rowIndex: number, column: number) => boolean;
}

export type BestAvailableChoice =
  | { readonly code: 'FOUND'; readonly rowIndex: number; readonly columns: readonly number[] }
  | { readonly code: 'NOT_ENOUGH_ADJACENT' | 'ZONE_SOLD_OUT' };

interface Block {
  start: number;
  distance: number;
}

export function chooseBestAvailable({ rows, cols, quantity, isTaken }: BestAvailableRequest): BestAvailableChoice {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be >= 1, got ${quantity}`);
  const free = (rowIndex: number, column: number): boolean =>
    column >= 1 && column <= cols && !isTaken(rowIndex, column);
  // The seat beside the block is stranded when it is free and the seat after it is taken or off the row.
  const strands = (rowIndex: number, beside: number, after: number): boolean =>
    free(rowIndex, beside) && !free(rowIndex, after);

  let fallback: { rowIndex: number; block: Block } | undefined;
  for (let rowIndex = 0; rowIndex < rows; rowIndex++) {
    let bestClean: Block | undefined;
    let bestAny: Block | undefined;
    for (let start = 1; start + quantity - 1 <= cols; start++) {
      let allFree = true;
      for (let column = start; column < start + quantity && allFree; column++) allFree = free(rowIndex, column);
      if (!allFree) continue;
      const block = { start, distance: Math.abs(2 * start + quantity - cols - 2) };
      // Strictly nearer only: scanning left to right, the leftmost of equally good blocks stays.
      if (bestAny === undefined || block.distance < bestAny.distance) bestAny = block;
      const end = start + quantity - 1;
      const clean = !strands(rowIndex, start - 1, start - 2) && !strands(rowIndex, end + 1, end + 2);
      if (clean && (bestClean === undefined || block.distance < bestClean.distance)) bestClean = block;
    }
    if (bestClean !== undefined) return found(rowIndex, bestClean.start, quantity);
    if (bestAny !== undefined && fallback === undefined) fallback = { rowIndex, block: bestAny };
  }
  if (fallback !== undefined) return found(fallback.rowIndex, fallback.block.start, quantity);
  for (let rowIndex = 0; rowIndex < rows; rowIndex++)
    for (let column = 1; column <= cols; column++) if (free(rowIndex, column)) return { code: 'NOT_ENOUGH_ADJACENT' };
  return { code: 'ZONE_SOLD_OUT' };
}

function found(rowIndex: number, start: number, quantity: number): BestAvailableChoice {
  return { code: 'FOUND', rowIndex, columns: Array.from({ length: quantity }, (_, i) => start + i) };
}

/**
 * The taken predicate of a zone's Redis bitmap (GET of `seats:{pN}:…`): bit rowIndex × cols + column − 1,
 * numbered from the most significant bit of each byte; bits past the end of the string are free.
 */
export function takenFromBitmap(bitmap: Buffer | null, cols: number): BestAvailableRequest['isTaken'] {
  return (rowIndex, column) => {
    if (bitmap === null) return false;
    const index = rowIndex * cols + column - 1;
    const byte = index >> 3;
    return byte < bitmap.length && (bitmap[byte]! & (0x80 >> (index & 7))) !== 0;
  };
}

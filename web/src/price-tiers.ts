/** Tier colours, dearest first: distinct hues that stay apart on both light tiles and dark bars. */
const PALETTE = ['#7c3aed', '#2563eb', '#0d9488', '#65a30d', '#d97706', '#db2777', '#0891b2', '#9333ea'];

/** A colour per distinct price, the dearest tier first. */
export function tierColours(prices: readonly number[]): Map<number, string> {
  const distinct = [...new Set(prices)].sort((a, b) => b - a);
  return new Map(distinct.map((price, i) => [price, PALETTE[i % PALETTE.length]!]));
}

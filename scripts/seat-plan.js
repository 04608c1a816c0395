// @ts-check
// The seat-conflict workload, shared by the tests, the domain harness, the benches and the JMeter CSV: each
// seat once plus round(ratio × seats) extra requests for seats drawn from them, shuffled. Plain CommonJS so
// the bench and JMeter scripts require it without a build. Seeded, so a failing run can be replayed exactly.
const prand = require('pure-rand');

/**
 * @typedef {object} SeededRandom
 * @property {(bound: number) => number} below a uniform integer in [0, bound), without modulo bias
 * @property {<T>(items: T[]) => T[]} shuffle Fisher-Yates, in place; returns `items`
 */

/**
 * xoroshiro128+ from pure-rand: the same seed gives the same draws on every machine and Node version.
 * @param {number} seed an integer
 * @returns {SeededRandom}
 */
function seededRandom(seed) {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const rng = prand.xoroshiro128plus(seed);
  /** @param {number} bound */
  const below = (bound) => prand.unsafeUniformIntDistribution(0, bound - 1, rng);
  return {
    below,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = below(i + 1);
        [items[i], items[j]] = [/** @type {any} */ (items[j]), /** @type {any} */ (items[i])];
      }
      return items;
    },
  };
}

/**
 * @typedef {object} PlannedSeat
 * @property {number} zoneId
 * @property {string} row letter from A
 * @property {number} column from 1
 */

/**
 * Every seat of the venue's first `zones` zones, in catalog order: zone by zone, row by row.
 * @param {{ zones: readonly { zoneId: number; rowCount: number; colCount: number }[] }} venue
 * @param {number} [zones]
 * @returns {PlannedSeat[]}
 */
function everySeat(venue, zones = venue.zones.length) {
  /** @type {PlannedSeat[]} */
  const seats = [];
  for (const zone of venue.zones.slice(0, zones)) {
    for (let r = 0; r < zone.rowCount; r++) {
      const row = String.fromCharCode(65 + r);
      for (let column = 1; column <= zone.colCount; column++) seats.push({ zoneId: zone.zoneId, row, column });
    }
  }
  return seats;
}

/**
 * Each seat once plus round(ratio × seats) requests for seats drawn at random from them, all shuffled: the
 * order the buyers send them in. Whichever request for a seat arrives first wins it.
 * @template T
 * @param {readonly T[]} seats
 * @param {number} ratio extra requests as a share of the seats (0.3 = 30 % duplicates)
 * @param {number} seed
 * @returns {T[]}
 */
function withDuplicates(seats, ratio, seed) {
  const random = seededRandom(seed);
  const plan = [...seats];
  const extras = Math.round(seats.length * ratio);
  for (let i = 0; i < extras; i++) plan.push(/** @type {T} */ (seats[random.below(seats.length)]));
  return random.shuffle(plan);
}

/**
 * `distinct` seats spread round-robin over `zoneIds`, filling column by column across `rows` rows (so no row
 * sells out unless the zone fills up), with round(ratio × distinct) duplicates, shuffled.
 * @param {readonly number[]} zoneIds
 * @param {number} rows
 * @param {number} distinct
 * @param {number} ratio
 * @param {number} seed
 * @returns {PlannedSeat[]}
 */
function seatPlan(zoneIds, rows, distinct, ratio, seed) {
  /** @type {PlannedSeat[]} */
  const seats = [];
  for (let i = 0; i < distinct; i++) {
    const zoneId = /** @type {number} */ (zoneIds[i % zoneIds.length]);
    const j = Math.floor(i / zoneIds.length);
    seats.push({ zoneId, row: String.fromCharCode(65 + (j % rows)), column: Math.floor(j / rows) + 1 });
  }
  return withDuplicates(seats, ratio, seed);
}

/** Venue1 of the shipped catalog: every zone 26 rows of 30 seats. */
const VENUE1_ZONE = { rowCount: 26, colCount: 30 };

/**
 * The benches' request bodies (JSON strings) for one run on Venue1: `seats` seats from zone 1, row A,
 * column 1 on, with duplicates as in withDuplicates.
 * @param {{ eventId: string; seats: number; ratio: number; seed: number; venueId?: string }} options
 * @returns {string[]}
 */
function seatConflictBodies({ eventId, seats, ratio, seed, venueId = 'Venue1' }) {
  const perZone = VENUE1_ZONE.rowCount * VENUE1_ZONE.colCount;
  const zones = Array.from({ length: Math.ceil(seats / perZone) }, (_, i) => ({ zoneId: i + 1, ...VENUE1_ZONE }));
  const distinct = everySeat({ zones }).slice(0, seats);
  return withDuplicates(distinct, ratio, seed).map((s) =>
    JSON.stringify({ venueId, eventId, zoneId: s.zoneId, row: s.row, column: s.column }),
  );
}

/** @param {PlannedSeat} s */
const seatKey = (s) => `${s.zoneId}:${s.row}${s.column}`;

module.exports = { seededRandom, everySeat, withDuplicates, seatPlan, seatKey, seatConflictBodies };

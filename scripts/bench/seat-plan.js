// The seat-conflict workload shared by the benches: every seat of Venue1's first zones once, plus
// `ratio × seats` extra requests for seats drawn at random from them, shuffled with a seeded generator.
const ROWS = 26;
const COLUMNS = 30;

function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request bodies (JSON strings) for one run; `seats` counts from zone 1, row A, column 1 on. */
function seatConflictBodies({ eventId, seats, ratio, seed, venueId = 'Venue1' }) {
  const distinct = [];
  for (let i = 0; i < seats; i++) {
    const zoneId = Math.floor(i / (ROWS * COLUMNS)) + 1;
    const inZone = i % (ROWS * COLUMNS);
    distinct.push({
      zoneId,
      row: String.fromCharCode(65 + Math.floor(inZone / COLUMNS)),
      column: (inZone % COLUMNS) + 1,
    });
  }
  const random = seededRandom(seed);
  const plan = [...distinct];
  for (let i = 0; i < Math.round(seats * ratio); i++) plan.push(distinct[Math.floor(random() * seats)]);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan.map((s) => JSON.stringify({ venueId, eventId, zoneId: s.zoneId, row: s.row, column: s.column }));
}

module.exports = { seatConflictBodies, seededRandom, ROWS, COLUMNS };

// Writes the seat CSV a seat-conflict run sends: every seat of the first N zones of a venue once, plus
// round(ratio × seats) extra requests for seats drawn at random from them, all shuffled with a seeded
// generator: the same plan as the tests, the harness and the benches (scripts/seat-plan.js). Beside it, `<name>.expected.json` holds what the API must answer: one 201 per distinct seat,
// one 409 per extra request (whichever request for a seat arrives first wins it).
//
//   node jmeter/generate-csv.js --ratio 0.3 [--zones 100] [--seed 1] [--event Event1] [--venue Venue1]
//                               [--catalog src/catalog/default-catalog.json] [--out test-output/jmeter]
//   node jmeter/generate-csv.js --ladder [...]    one CSV per ratio of the ladder
// The files are <out>/seats-<percent>.csv and <out>/seats-<percent>.expected.json.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { readCliOptions } = require('../scripts/cli-options');
const { everySeat, withDuplicates } = require('../scripts/seat-plan');

const ROOT = join(__dirname, '..');
const DEFAULT_CATALOG = join(ROOT, 'src', 'catalog', 'default-catalog.json');
/** The seat-conflict ladder: extra requests as a share of the seats. */
const LADDER = [0.1, 0.3, 0.5, 0.7, 0.9, 1.1];
const CSV_HEADER = 'venueId,eventId,zoneId,row,column';

/** The venue as the API's catalog file describes it (CATALOG_FILE, else the shipped default). */
function readVenue(catalogFile, venueId) {
  const catalog = JSON.parse(readFileSync(catalogFile, 'utf8'));
  const venue = catalog.venues.find((v) => v.venueId === venueId);
  if (venue === undefined) throw new Error(`venue ${venueId} is not in ${catalogFile}`);
  return venue;
}

/** Every seat of the venue's first `zoneCount` zones, in catalog order; rows are letters from A. */
function venueSeats(venue, zoneCount) {
  if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > venue.zones.length) {
    throw new Error(`--zones must be 1-${venue.zones.length} for ${venue.venueId}, got ${zoneCount}`);
  }
  return everySeat(venue, zoneCount);
}

/** Each seat once plus round(ratio × seats) random repeats, shuffled: the order the buyers send them in. */
function seatRequests(seats, ratio, seed) {
  if (!(ratio >= 0) || ratio > 10) throw new Error(`ratio must be 0-10 (0.3 = 30 % duplicates), got ${ratio}`);
  const requests = withDuplicates(seats, ratio, seed);
  return { requests, duplicates: requests.length - seats.length };
}

const expectedPathOf = (csvPath) => csvPath.replace(/\.csv$/, '') + '.expected.json';

/** Writes the CSV and its expected figures; returns the figures. */
function writeSeatCsv({ catalogFile = DEFAULT_CATALOG, venueId = 'Venue1', eventId, zones, ratio, seed, csvPath }) {
  const venue = readVenue(catalogFile, venueId);
  const seats = venueSeats(venue, zones);
  const { requests, duplicates } = seatRequests(seats, ratio, seed);
  const lines = requests.map((s) => `${venueId},${eventId},${s.zoneId},${s.row},${s.column}`);
  mkdirSync(dirname(csvPath), { recursive: true });
  writeFileSync(csvPath, `${CSV_HEADER}\n${lines.join('\n')}\n`);
  const expected = {
    venueId,
    eventId,
    zones,
    ratio,
    seed,
    seats: seats.length,
    duplicates,
    requests: requests.length,
    csv: csvPath,
  };
  writeFileSync(expectedPathOf(csvPath), `${JSON.stringify(expected, null, 2)}\n`);
  return expected;
}

function main(argv) {
  const values = readCliOptions(
    {
      usage: 'npm run jmeter:csv -- --ratio <r> | --ladder [options]',
      about:
        'Writes the seat CSV a seat-conflict run sends (every seat of the first zones once, plus ratio x seats\n' +
        'repeats, shuffled) and beside it <name>.expected.json: one 201 per distinct seat, one 409 per repeat.',
      options: {
        ratio: { type: 'number', help: 'repeats as a share of the seats (0.3 = 30 %)' },
        ladder: { type: 'boolean', help: 'one CSV per ratio of the ladder (10 %-110 %)' },
        zones: { type: 'number', help: "the venue's first N zones (default: all)" },
        seed: { type: 'number', default: 1, help: 'seed of the repeats and the shuffle' },
        event: { type: 'string', default: 'Event1', help: 'the event id written in each row' },
        venue: { type: 'string', default: 'Venue1', help: 'the venue' },
        catalog: { type: 'string', default: process.env.CATALOG_FILE ?? DEFAULT_CATALOG, help: 'the catalog file' },
        out: { type: 'string', default: join('test-output', 'jmeter'), help: 'folder of the files' },
      },
      examples: ['npm run jmeter:csv -- --ratio 0.3 --zones 1 --seed 7 --out /tmp/seats'],
    },
    argv,
  );
  if (values.ladder === (values.ratio !== undefined)) throw new Error('give either --ratio R or --ladder');
  const catalogFile = resolve(values.catalog);
  const zones = values.zones ?? readVenue(catalogFile, values.venue).zones.length;
  const ratios = values.ladder ? LADDER : [values.ratio];
  for (const ratio of ratios) {
    const csvPath = resolve(values.out, `seats-${Math.round(ratio * 100)}.csv`);
    const expected = writeSeatCsv({
      catalogFile,
      venueId: values.venue,
      eventId: values.event,
      zones,
      ratio,
      seed: values.seed,
      csvPath,
    });
    console.log(
      `${csvPath}: ${expected.requests} requests = ${expected.seats} seats + ${expected.duplicates} duplicates (seed ${expected.seed})`,
    );
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  }
}

module.exports = { LADDER, DEFAULT_CATALOG, readVenue, venueSeats, seatRequests, writeSeatCsv, expectedPathOf };

import { DomainHarness } from './domain-harness';
import { everySeat, hotSeatStorm, withDuplicates } from './sale-plans';
import type { SaleResult } from './sale-result';

// CI runs the whole-sale scenario over 10 of Venue1's 100 zones; HARNESS_ZONES=100 runs all 78,000 seats.
const ZONES = Number(process.env.HARNESS_ZONES ?? 10);
const DUPLICATES = Number(process.env.HARNESS_DUP ?? 0.5);
const VENUE = 'Venue1';

describe('domain harness: seat-conflict scenarios through the CommandBus, drained into both stores', () => {
  let harness: DomainHarness;

  beforeAll(async () => {
    harness = await DomainHarness.start();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /** The checks every scenario ends with: at most one winner per seat, every winner in both stores. */
  async function drainAndCheck(result: SaleResult): Promise<number> {
    result.assertEachSeatSoldAtMostOnce();
    const drainMs = await harness.waitForDrain(result);
    const stored = await harness.storedTicketIds(result.eventId);
    result.assertAllReservedIn('DynamoDB', stored.dynamodb);
    result.assertAllReservedIn('MySQL', stored.mysql);
    expect(stored.dynamodb.size).toBe(result.reservedTickets().length);
    expect(stored.mysql.size).toBe(result.reservedTickets().length);
    return drainMs;
  }

  it(`sells a whole sale of ${ZONES} zones with ${DUPLICATES * 100}% duplicates: one winner per seat, 409 for the rest`, async () => {
    const seats = everySeat(harness.venue(VENUE), ZONES);
    const eventId = await harness.openEvent('harness-sale', VENUE);
    const plan = withDuplicates(seats, DUPLICATES, 11);

    const result = await harness.purchase(VENUE, eventId, plan);
    // Late duplicates find their row or zone already gone: every refusal is one of the three conflicts (409).
    expect(result.kinds()['RESERVED']).toBe(seats.length);
    expect(result.conflicts()).toBe(plan.length - seats.length);

    const drainMs = await drainAndCheck(result);
    console.log(
      `harness sale: ${plan.length} commands over ${seats.length} seats, ${JSON.stringify(result.kinds())}, ` +
        `${result.commandsPerSecond()} commands/s, stores agree ${Math.round(drainMs)} ms after the last outcome`,
    );
  });

  it('survives a hot-seat storm: thousands of commands for four seats sell each of them once', async () => {
    const eventId = await harness.openEvent('harness-storm', VENUE);
    const hot = [
      { zoneId: 1, row: 'A', column: 1 },
      { zoneId: 1, row: 'A', column: 2 },
      { zoneId: 50, row: 'M', column: 15 },
      { zoneId: 100, row: 'Z', column: 30 },
    ];

    const result = await harness.purchase(VENUE, eventId, hotSeatStorm(hot, 5000));

    expect(result.kinds()).toEqual({ RESERVED: 4, SEAT_TAKEN: 4996 });
    await drainAndCheck(result);
  });

  it('answers zone and row sold-out once they are, and keeps selling elsewhere', async () => {
    const venue = harness.venue(VENUE);
    const eventId = await harness.openEvent('harness-sellout', VENUE);
    const zoneOne = everySeat({ ...venue, zones: [venue.zones[0]!] });
    const rowA = zoneOne.filter((s) => s.row === 'A').map((s) => ({ ...s, zoneId: 2 }));

    // The zone fills under contention: every seat once plus 30 % duplicates, all at once.
    const fill = await harness.purchase(VENUE, eventId, withDuplicates([...zoneOne, ...rowA], 0.3, 5));
    expect(fill.kinds()['RESERVED']).toBe(zoneOne.length + rowA.length);
    expect(fill.conflicts()).toBe(fill.requests.length - zoneOne.length - rowA.length);

    const after = await harness.purchase(VENUE, eventId, [
      { zoneId: 1, row: 'M', column: 7 },
      { zoneId: 2, row: 'A', column: 30 },
      { zoneId: 2, row: 'B', column: 1 },
    ]);
    expect(after.outcomes.map((o) => o.kind)).toEqual(['ZONE_SOLD_OUT', 'ROW_SOLD_OUT', 'RESERVED']);

    await drainAndCheck(fill.and(after));
    const counters = await harness.consistency.check(eventId);
    expect(counters.differences).toEqual([]);
    expect(counters.figures['redisTaken']).toBe(zoneOne.length + rowA.length + 1);
  });
});

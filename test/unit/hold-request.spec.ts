import { parseConfig } from '../../src/platform/config/app-config';
import { bestAvailableHoldRequest, holdParams, listedSeatsHoldRequest } from '../../src/orders/hold.request';
import { newHoldId, partitionOfHoldId } from '../../src/purchasing/seat-map/hold.keys';
import { partitionOf } from '../../src/purchasing/seat-map/seat-map.keys';

describe('hold requests', () => {
  const listed = listedSeatsHoldRequest(3);
  const best = bestAvailableHoldRequest(3);
  const base = { venueId: 'V', eventId: 'E', buyerId: 'buyer:42@example' };
  const seat = (zoneId: number, column: number) => ({ zoneId, row: 'A', column });

  it('takes 1 to MAX_SEATS_PER_ORDER seats of one zone, and an opaque buyer id of 1-128 characters', () => {
    expect(listed.safeParse({ ...base, seats: [seat(1, 1), seat(1, 2), seat(1, 3)] }).success).toBe(true);
    expect(listed.safeParse({ ...base, seats: [] }).success).toBe(false);
    expect(listed.safeParse({ ...base, seats: [seat(1, 1), seat(1, 2), seat(1, 3), seat(1, 4)] }).success).toBe(false);
    expect(listed.safeParse({ ...base, buyerId: 'x'.repeat(128), seats: [seat(1, 1)] }).success).toBe(true);
    expect(listed.safeParse({ ...base, buyerId: 'x'.repeat(129), seats: [seat(1, 1)] }).success).toBe(false);
    expect(listed.safeParse({ venueId: 'V', eventId: 'E', seats: [seat(1, 1)] }).success).toBe(false);
  });

  it('refuses seats of two zones, naming the first seat of another zone', () => {
    const result = listed.safeParse({ ...base, seats: [seat(1, 1), seat(2, 2)] });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([{ path: ['seats', 1, 'zoneId'] }]);
  });

  it('takes a best-available quantity up to MAX_SEATS_PER_ORDER, and only with bestAvailable: true', () => {
    expect(best.safeParse({ ...base, zoneId: 1, quantity: 3, bestAvailable: true }).success).toBe(true);
    expect(best.safeParse({ ...base, zoneId: 1, quantity: 4, bestAvailable: true }).success).toBe(false);
    expect(best.safeParse({ ...base, zoneId: 1, quantity: 0, bestAvailable: true }).success).toBe(false);
    expect(best.safeParse({ ...base, zoneId: 1, quantity: 2, bestAvailable: false }).success).toBe(false);
  });

  it('names a hold by an id that carries its zone partition', () => {
    const holdId = newHoldId('E', 7);
    expect(holdParams.safeParse({ holdId }).success).toBe(true);
    expect(holdParams.safeParse({ holdId: 'not-a-hold' }).success).toBe(false);
    expect(partitionOfHoldId(holdId)).toBe(partitionOf('E', 7));
  });

  it('configures holds of 600 s, 8 seats, swept every 250 ms unless told otherwise', () => {
    const config = parseConfig({});
    expect([config.HOLD_TTL_SECONDS, config.MAX_SEATS_PER_ORDER, config.HOLD_SWEEP_INTERVAL_MS]).toEqual([600, 8, 250]);
    expect(() => parseConfig({ MAX_SEATS_PER_ORDER: '0' })).toThrow(/MAX_SEATS_PER_ORDER/);
    expect(() => parseConfig({ HOLD_TTL_SECONDS: 'ten' })).toThrow(/HOLD_TTL_SECONDS/);
  });
});

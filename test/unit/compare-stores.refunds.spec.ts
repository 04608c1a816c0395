import { compareStores } from '../../src/seat-recovery/compare-stores';
import { snapshotOf, type SnapshotTicket } from '../../src/seat-recovery/store-snapshot';

const ticket = (ticketId: string, column: number, status: string): SnapshotTicket => ({
  ticketId,
  zoneId: 1,
  row: 'A',
  column,
  price: 10,
  status,
});

describe('verify with refunds: compareStores', () => {
  const refunded = ticket('t1', 1, 'REFUNDED');
  const resold = ticket('t2', 1, 'RESERVED');

  it('agrees when both stores hold the refund and the seat is free in Redis, or taken by its resale', () => {
    const free = compareStores(
      { taken: new Set(), problems: [] },
      snapshotOf('w', [refunded]),
      snapshotOf('r', [refunded]),
    );
    expect(free.differences).toEqual([]);
    expect(free.figures).toMatchObject({ wRefunded: 1, rRefunded: 1, wLive: 0 });

    const both = [refunded, resold];
    const taken = compareStores(
      { taken: new Set(['1:A1']), problems: [] },
      snapshotOf('w', both),
      snapshotOf('r', both),
    );
    expect(taken.differences).toEqual([]);
  });

  it('reports a refund one store does not have, and a refunded seat still taken in Redis', () => {
    const report = compareStores(
      { taken: new Set(['1:A1']), problems: [] },
      snapshotOf('w', [refunded]),
      snapshotOf('r', [ticket('t1', 1, 'RESERVED')]),
    );
    expect(report.differences).toEqual(
      expect.arrayContaining([
        'seats taken in redis without a live ticket in w (1): 1:A1',
        'live in r, not live in w (1): t1',
        'refunded in w, not refunded in r (1): t1',
      ]),
    );
  });
});

import { buyerQuotaKey } from '../../src/orders/buyer-limit/buyer-quota.keys';
import {
  countedSeats,
  countsAt,
  formatQuotaEntry,
  parseQuotaEntry,
  type QuotaEntry,
} from '../../src/orders/buyer-limit/quota-entry';

const hashTag = (key: string): string => /\{([^}]*)\}/.exec(key)![1]!;

describe('buyer quota ledger entries', () => {
  it('given a stored entry, when parsed and formatted again, then it reads the same', () => {
    const entry = parseQuotaEntry('3|held|1796400000123');
    expect(entry).toEqual({ seats: 3, state: 'held', untilMs: 1796400000123 });
    expect(formatQuotaEntry(entry)).toBe('3|held|1796400000123');
  });

  it('given a malformed entry, when parsed, then it is refused with the value in the message', () => {
    for (const bad of ['3|held', 'x|sold|0', '2|reserved|5', '-1|held|5', '2|held|1e12'])
      expect(() => parseQuotaEntry(bad)).toThrow(JSON.stringify(bad));
  });

  it('given pending and held entries, when the clock passes their deadline, then they stop counting; sold ones never do', () => {
    const pending: QuotaEntry = { seats: 2, state: 'pending', untilMs: 1000 };
    const held: QuotaEntry = { seats: 3, state: 'held', untilMs: 2000 };
    const sold: QuotaEntry = { seats: 1, state: 'sold', untilMs: 0 };
    expect(countsAt(pending, 1000)).toBe(true);
    expect(countsAt(pending, 1001)).toBe(false);
    expect(countedSeats([pending, held, sold], 999)).toBe(6);
    expect(countedSeats([pending, held, sold], 1500)).toBe(4);
    expect(countedSeats([pending, held, sold], 2001)).toBe(1);
    expect(countedSeats([], 5)).toBe(0);
  });

  it('given a refund marker (a sold entry of 0 seats), when summed, then it counts nothing', () => {
    expect(countedSeats([parseQuotaEntry('0|sold|0'), parseQuotaEntry('2|sold|0')], 1)).toBe(2);
  });
});

describe('buyer quota key', () => {
  it('given one buyer and event, when keyed, then every claim shares one hash tag that no buyer id can move', () => {
    const key = buyerQuotaKey('Event1', 'buyer-7');
    expect(key).toBe(buyerQuotaKey('Event1', 'buyer-7'));
    expect(key).toMatch(/^buyer:\{b[0-9a-z]+\}:Event1:buyer-7$/);
    const tricky = buyerQuotaKey('Event1', '}{x}');
    expect(hashTag(tricky)).toMatch(/^b[0-9a-z]+$/);
  });

  it('given many buyers, when keyed, then their ledgers spread over many tags (slots)', () => {
    const tags = new Set(Array.from({ length: 200 }, (_, i) => hashTag(buyerQuotaKey('Event1', `buyer-${i}`))));
    expect(tags.size).toBeGreaterThan(190);
    expect(hashTag(buyerQuotaKey('Event1', 'b'))).not.toBe(hashTag(buyerQuotaKey('Event2', 'b')));
  });
});

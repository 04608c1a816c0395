import {
  idempotencyRecordKey,
  outboxKey,
  partitionOf,
  SEAT_PARTITIONS,
  zoneKeys,
} from '../../src/purchasing/seat-map/seat-map.keys';

const hashTag = (key: string): string => /\{([^}]*)\}/.exec(key)![1]!;

describe('seat map key layout', () => {
  it('puts every key of one reservation under one hash tag (one cluster slot)', () => {
    const keys = zoneKeys('Event1', 42);
    const tags = [keys.counts, keys.seats, keys.outbox, idempotencyRecordKey(keys.partition, 'abc')].map(hashTag);
    expect(new Set(tags).size).toBe(1);
    expect(keys.outbox).toBe(outboxKey(keys.partition));
  });

  it('is stable and spreads the zones of a venue over the partitions', () => {
    expect(partitionOf('Event1', 1)).toBe(partitionOf('Event1', 1));
    const used = new Set(Array.from({ length: 100 }, (_, z) => partitionOf('Event1', z + 1)));
    expect(used.size).toBeGreaterThan(SEAT_PARTITIONS / 2);
    for (const p of used) expect(p).toBeLessThan(SEAT_PARTITIONS);
  });
});

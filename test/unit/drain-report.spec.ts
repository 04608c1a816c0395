import { barrierSeen, roundSettled, workersChanged, type DrainReport } from '../../src/seat-recovery/drain-report';

const report = (overrides: Partial<DrainReport> = {}): DrainReport => ({
  epoch: 1,
  consuming: true,
  round: 'r1',
  settled: true,
  barriers: [],
  ...overrides,
});

const reports = (entries: Record<string, DrainReport>) => new Map(Object.entries(entries));

describe('drain reports: when the write-store pipeline is proven drained', () => {
  const counted = reports({ a: report(), b: report() });

  it('sees no change while every counted worker reports on the consumer it had', () => {
    expect(workersChanged(counted, reports({ a: report({ settled: false }), b: report(), c: report() }))).toBe(false);
  });

  it('sees a change when a counted worker is gone, replaced its consumer, or stopped consuming', () => {
    expect(workersChanged(counted, reports({ a: report() }))).toBe(true);
    expect(workersChanged(counted, reports({ a: report(), b: report({ epoch: 2 }) }))).toBe(true);
    expect(workersChanged(counted, reports({ a: report(), b: report({ consuming: false }) }))).toBe(true);
  });

  it('settles the round only when every counted worker has settled that very round', () => {
    expect(roundSettled(counted, reports({ a: report(), b: report() }), 'r1')).toBe(true);
    expect(roundSettled(counted, reports({ a: report(), b: report({ settled: false }) }), 'r1')).toBe(false);
    // A report about an earlier round says nothing about what was received before this one.
    expect(roundSettled(counted, reports({ a: report(), b: report({ round: 'r0' }) }), 'r1')).toBe(false);
    expect(roundSettled(counted, reports({ a: report() }), 'r1')).toBe(false);
  });

  it('sees the barrier once any worker reports having handled it', () => {
    expect(barrierSeen(reports({ a: report(), b: report({ barriers: ['x', 'y'] }) }), 'y')).toBe(true);
    expect(barrierSeen(reports({ a: report({ barriers: ['x'] }) }), 'y')).toBe(false);
  });
});

import { reconnectDelayMs } from '../../src/platform/amqp/amqp-connection.factory';

describe('the AMQP reconnect backoff', () => {
  const lowest = () => 0;
  const highest = () => 1;

  it('waits between 125 and 250 ms before the first reconnect', () => {
    // given the first attempt, when the jitter is at either end, then the wait spans half to all of the step
    expect(reconnectDelayMs(1, lowest)).toBe(125);
    expect(reconnectDelayMs(1, highest)).toBe(250);
  });

  it('doubles the step with each failed attempt', () => {
    // given attempts 1 to 5 with the largest jitter, then each wait is twice the one before
    expect([1, 2, 3, 4, 5].map((attempt) => reconnectDelayMs(attempt, highest))).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it('never waits more than 5 s, however long the broker stays away', () => {
    // given a broker away for many attempts, when the jitter is at its largest, then the wait stays at the cap
    for (const attempt of [6, 7, 20, 1000, Number.MAX_SAFE_INTEGER]) {
      expect(reconnectDelayMs(attempt, highest)).toBe(5000);
      expect(reconnectDelayMs(attempt, lowest)).toBe(2500);
    }
  });

  it('spreads the processes that lost the broker together over the upper half of the step', () => {
    // given many processes at the same attempt, when each draws its own jitter, then their waits differ
    const waits = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(4)));
    expect(waits.size).toBeGreaterThan(10);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1000);
      expect(wait).toBeLessThanOrEqual(2000);
    }
  });
});

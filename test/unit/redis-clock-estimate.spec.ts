import { RedisClockEstimate } from '../../src/waiting-room/redis-clock-estimate';

describe('the estimate of the Redis clock', () => {
  it('trusts the sample with the shortest round trip, whose error is the smallest', () => {
    // given a quick sample, then slower ones (a busy event loop) that read the reply late
    const clock = new RedisClockEstimate();
    expect(clock.offset(100, 1)).toBe(100);
    // when
    const afterSlow = [clock.offset(60, 80), clock.offset(140, 40)];
    // then the quick one still counts
    expect(afterSlow).toEqual([100, 100]);
    // and a quicker one replaces it
    expect(clock.offset(102, 0.5)).toBe(102);
  });

  it('forgets samples older than its window, so a drifting clock is followed', () => {
    const clock = new RedisClockEstimate();
    clock.offset(100, 1);
    let estimate = 0;
    for (let i = 0; i < 30; i++) estimate = clock.offset(200, 5);
    expect(estimate).toBe(200);
  });
});

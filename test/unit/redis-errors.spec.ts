import { isClusterRedirection, isRedisUnavailable } from '../../src/redis/redis.factory';

describe('Redis errors that mean "retry later"', () => {
  it('counts a cluster refusing a command it did not run (slot moving, failing over) as unavailable', () => {
    for (const message of [
      'MOVED 3999 127.0.0.1:7002',
      'ASK 3999 127.0.0.1:7002',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'CLUSTERDOWN The cluster is down',
    ]) {
      expect(isClusterRedirection(new Error(message))).toBe(true);
      expect(isRedisUnavailable(new Error(message))).toBe(true);
    }
    expect(isRedisUnavailable(new Error('Too many Cluster redirections. Last error: ReplyError: TRYAGAIN'))).toBe(true);
  });

  it('does not hide a bug behind a 503', () => {
    expect(isRedisUnavailable(new Error('ERR Error running script: attempt to compare nil with number'))).toBe(false);
    expect(isClusterRedirection(new Error('CROSSSLOT Keys in request do not hash to the same slot'))).toBe(false);
    expect(isRedisUnavailable(new Error('the task failed'))).toBe(false);
  });
});

import { isClusterRedirection, isRedisUnavailable } from '../../src/platform/redis/redis-errors';

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

  it('counts Redis refusing a command it did not run (memory, replica, busy script, loading) as unavailable', () => {
    // Produced for real by test/e2e/redis-refusals.e2e.spec.ts, except LOADING (a dataset being loaded at
    // start-up) and NOREPLICAS, which are only classified here.
    for (const message of [
      "OOM command not allowed when used memory > 'maxmemory'. script: da32added6033a00117d710e41d7f237c1efd275, on @user_script:24.",
      "READONLY You can't write against a read only replica.",
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      'LOADING Redis is loading the dataset in memory',
      'NOREPLICAS Not enough good replicas to write.',
    ]) {
      expect(isRedisUnavailable(new Error(message))).toBe(true);
    }
  });

  it('does not hide a bug behind a 503', () => {
    expect(isRedisUnavailable(new Error('BUSYGROUP Consumer Group name already exists'))).toBe(false);
    expect(isRedisUnavailable(new Error('BUSYKEY Target key name already exists.'))).toBe(false);
    expect(isRedisUnavailable(new Error('failed loading the catalog: unexpected token'))).toBe(false);
    expect(isRedisUnavailable(new Error('ERR Error running script: attempt to compare nil with number'))).toBe(false);
    expect(isClusterRedirection(new Error('CROSSSLOT Keys in request do not hash to the same slot'))).toBe(false);
    expect(isRedisUnavailable(new Error('the task failed'))).toBe(false);
  });
});

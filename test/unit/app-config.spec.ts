import { ConfigError, dynamoDbTarget, parseConfig } from '../../src/platform/config/app-config';
import { signingSecrets } from '../../src/waiting-room/waiting-room';

describe('configuration', () => {
  const valid = { ADMIN_TOKEN: 'a-long-enough-admin-token' };

  it('fills the documented defaults', () => {
    const config = parseConfig(valid);
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.OUTBOX_RELAY_ENABLED).toBe(true);
    expect(config.MAX_SEATS_PER_BUYER_PER_EVENT).toBe(8);
    expect(config.BUYER_QUOTA_CLAIM_SECONDS).toBe(10);
    expect(config.BUYER_QUOTA_GRACE_SECONDS).toBe(60);
  });

  it('refuses a per-buyer limit below one seat', () => {
    expect(() => parseConfig({ ...valid, MAX_SEATS_PER_BUYER_PER_EVENT: '0' })).toThrow(
      /MAX_SEATS_PER_BUYER_PER_EVENT/,
    );
  });

  it('names every bad variable in one error', () => {
    expect(() => parseConfig({ PORT: 'eighty', REDIS_URL: 'http://x' })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: 'eighty', REDIS_URL: 'http://x' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('REDIS_URL');
    }
  });

  it('reads the waiting room secrets as a list (first signs), refuses a short one, and derives one from the admin token when unset', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(40)];
    expect(parseConfig({ ...valid, WAITING_ROOM_SECRETS: `${a},${b}` }).WAITING_ROOM_SECRETS).toEqual([a, b]);
    expect(() => parseConfig({ ...valid, WAITING_ROOM_SECRETS: `${a},short` })).toThrow(
      /WAITING_ROOM_SECRETS: must be/,
    );
    const derived = signingSecrets(parseConfig(valid));
    expect(derived).toHaveLength(1);
    expect(derived[0]).not.toContain(valid.ADMIN_TOKEN);
    expect(signingSecrets(parseConfig(valid))).toEqual(derived);
    expect(signingSecrets(parseConfig({ ADMIN_TOKEN: 'another-admin-token-123' }))).not.toEqual(derived);
  });

  it('refuses a short admin token', () => {
    expect(() => parseConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN: must be at least 16/);
  });

  it('reads a Redis Cluster as a list of nodes, and refuses a malformed one', () => {
    expect(parseConfig({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' }).REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(parseConfig(valid).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(() => parseConfig({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('takes a ticket cache Redis for a single Redis only (a cluster reads its own replicas)', () => {
    expect(parseConfig({ ...valid, TICKET_CACHE_REDIS_URL: 'redis://replica:6379' }).TICKET_CACHE_REDIS_URL).toBe(
      'redis://replica:6379',
    );
    expect(() =>
      parseConfig({ ...valid, REDIS_CLUSTER_NODES: 'a:7000', TICKET_CACHE_REDIS_URL: 'redis://replica:6379' }),
    ).toThrow(/TICKET_CACHE_REDIS_URL/);
  });

  describe('DynamoDB (the worker and the tools)', () => {
    const target = (env: Record<string, string>) => dynamoDbTarget(parseConfig({ ...valid, ...env }));

    it('is AWS with a region and no endpoint: never an embedded dynalite unasked', () => {
      expect(target({ DYNAMODB_REGION: 'eu-west-1' })).toEqual({
        endpoint: undefined,
        region: 'eu-west-1',
        embedded: false,
      });
    });

    it('is the given endpoint, signed for us-east-1 unless a region is set', () => {
      expect(target({ DYNAMODB_ENDPOINT: 'http://dynamodb:8000' })).toEqual({
        endpoint: 'http://dynamodb:8000',
        region: 'us-east-1',
        embedded: false,
      });
    });

    it('sends item calls through the JSON client unless DYNAMODB_CLIENT=sdk, and knows no third client', () => {
      expect(parseConfig(valid).DYNAMODB_CLIENT).toBe('json');
      expect(parseConfig({ ...valid, DYNAMODB_CLIENT: 'sdk' }).DYNAMODB_CLIENT).toBe('sdk');
      expect(() => parseConfig({ ...valid, DYNAMODB_CLIENT: 'document' })).toThrow(/DYNAMODB_CLIENT/);
    });

    it('starts a dynalite only when DYNAMODB_EMBEDDED is true', () => {
      expect(target({ DYNAMODB_EMBEDDED: 'true' })).toMatchObject({ endpoint: undefined, embedded: true });
    });

    it('names the settings when none says where DynamoDB is', () => {
      expect(() => target({})).toThrow(ConfigError);
      expect(() => target({})).toThrow(/DYNAMODB_REGION.*DYNAMODB_ENDPOINT.*DYNAMODB_EMBEDDED/s);
    });

    it('refuses an embedded dynalite and an endpoint together', () => {
      expect(() => parseConfig({ ...valid, DYNAMODB_EMBEDDED: 'true', DYNAMODB_ENDPOINT: 'http://x:8000' })).toThrow(
        /DYNAMODB_EMBEDDED/,
      );
    });

    it('leaves the API, which does not use DynamoDB, free of these settings', () => {
      expect(() => parseConfig(valid)).not.toThrow();
    });
  });
});

import { ConfigError, parseConfig } from '../../src/config/app-config';

describe('configuration', () => {
  const valid = { ADMIN_TOKEN: 'a-long-enough-admin-token' };

  it('fills the documented defaults', () => {
    const config = parseConfig(valid);
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.OUTBOX_RELAY_ENABLED).toBe(true);
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

  it('refuses a short admin token', () => {
    expect(() => parseConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN: must be at least 16/);
  });
});

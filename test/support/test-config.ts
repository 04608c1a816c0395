import { join } from 'node:path';
import { parseConfig, type AppConfig } from '../../src/platform/config/app-config';
import { topologyFor, type Topology } from '../../src/platform/amqp/topology';

export const TEST_CATALOG_FILE = join(__dirname, '..', 'fixtures', 'test-catalog.json');
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The environment the tests run with: the machine's services, the test catalog, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return parseConfig({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    AMQP_NAMESPACE: testNamespace(),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    CATALOG_FILE: TEST_CATALOG_FILE,
    LOG_LEVEL: 'error',
    RATE_LIMIT_MAX: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    ...overrides,
  });
}

/** The run's broker namespace (see global-setup.js); a fixed fallback for a file run without it. */
export const testNamespace = (): string => process.env.AMQP_NAMESPACE ?? 'test-unnamespaced';

/** The run's topology, for tests that read or write the queues directly. */
export const testTopology = (): Topology => topologyFor(testNamespace());

let counter = 0;
/** A fresh event id per test so runs never share a seat map and nothing has to be flushed. */
export function freshEventId(label: string): string {
  counter++;
  return `${label}-${Date.now().toString(36)}-${process.pid}-${counter}`;
}

export const saleEvent = (eventId: string, venueId: string) => ({
  eventId,
  venueId,
  name: `Test ${eventId}`,
  type: 'test',
  date: '2027-01-01T20:00:00Z',
});

/** Three kinds of test; integration and e2e talk to the real Redis and RabbitMQ, so files run one at a time. */
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const project = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
});

module.exports = {
  testTimeout: 120_000,
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  projects: [project('unit'), project('integration'), project('harness'), project('e2e'), project('faults')],
};

// One broker namespace and one Redis database per test run: the suite never consumes the messages or
// relays the outbox of a running stack (which uses database 0), nor those of another run; the namespace is
// deleted at the end. Tests run in band, so this process.env is the tests' environment; child processes
// inherit it through ChildProcessHandle.
const { randomBytes } = require('node:crypto');

module.exports = async () => {
  process.env.AMQP_NAMESPACE ??= `test-${process.pid}-${randomBytes(3).toString('hex')}`;
  process.env.REDIS_URL ??= `redis://127.0.0.1:6379/${1 + (randomBytes(1)[0] % 15)}`;
};

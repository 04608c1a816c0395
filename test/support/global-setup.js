// One broker namespace per test run: the suite never consumes the messages of a running stack (or of
// another run), and what it declared is deleted at the end. Tests run in band, so this process.env is
// the tests' environment; child processes inherit it through ChildProcessHandle.
const { randomBytes } = require('node:crypto');

module.exports = async () => {
  process.env.AMQP_NAMESPACE ??= `test-${process.pid}-${randomBytes(3).toString('hex')}`;
};

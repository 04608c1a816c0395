// What both benches need: a free loopback port, and a broker namespace of their own that is deleted after,
// so a bench never touches a running stack's queues.
const { spawnSync } = require('node:child_process');
const { createServer } = require('node:net');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const NAMESPACE = `bench-${Date.now().toString(36)}`;

async function deleteNamespace() {
  const { connect } = require('amqplib');
  const { deleteTopology, topologyFor } = require(join(ROOT, 'dist', 'platform', 'amqp', 'topology.js'));
  const connection = await connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  await deleteTopology(await connection.createChannel(), topologyFor(NAMESPACE)).catch(() => undefined);
  await connection.close();
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Builds dist/ (the benches run what production runs); after the flags are read, so --help builds nothing. */
function buildFirst() {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

module.exports = { ROOT, NAMESPACE, buildFirst, deleteNamespace, freePort };

// What both benches need: a free loopback port, and a broker namespace of their own that is deleted after,
// so a bench never touches a running stack's queues.
const { createServer } = require('node:net');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const NAMESPACE = `bench-${Date.now().toString(36)}`;

async function deleteNamespace() {
  const { connect } = require('amqplib');
  const { deleteTopology, topologyFor } = require(join(ROOT, 'dist', 'messaging', 'topology.js'));
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

module.exports = { ROOT, NAMESPACE, deleteNamespace, freePort };

// Deletes the run's broker namespace (names as in src/platform/amqp/topology.ts).
const { connect } = require('amqplib');

module.exports = async () => {
  const ns = process.env.AMQP_NAMESPACE;
  if (!ns || !ns.startsWith('test-')) return;
  const connection = await connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    for (const queue of [`${ns}.write-store`, `${ns}.read-model`]) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dlq`);
    }
    await channel.deleteExchange(ns);
    await channel.deleteExchange(`${ns}.dlx`);
  } finally {
    await connection.close();
  }
};

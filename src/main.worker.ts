import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { connect } from 'amqplib';
import { loadConfig } from './config/load-env';
import { assertTopology } from './messaging/topology';

/**
 * The worker process. It asserts the topology it consumes from; the two pipelines (DynamoDB write store,
 * MySQL read model) attach here. Until they do, it deliberately consumes nothing: acknowledging a message
 * it cannot persist would lose a ticket.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('Worker');
  const connection = await connect(config.AMQP_URL);
  const channel = await connection.createChannel();
  await assertTopology(channel);
  await channel.close();
  logger.log('topology asserted; pipelines: none attached yet');
  const stop = async () => {
    await connection.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

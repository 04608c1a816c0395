import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/mysql';
import { loadCatalog } from '../catalog/catalog.loader';
import type { SaleEvent } from '../catalog/catalog.schema';
import { ConfigError, dynamoDbTarget, type AppConfig } from '../platform/config/app-config';
import { loadConfig } from '../platform/config/load-env';
import { readModelConfig } from '../read-model/mikro-orm.config';
import { ReadModelEvents } from '../read-model/read-model-events';
import { createRedisClient, type RedisClient } from '../platform/redis/redis.factory';
import { createDynamoClients } from '../write-store/dynamodb.client';
import { DynamoTicketWriteStore } from '../write-store/dynamo-ticket-write-store';
import { EventConsistency } from '../seat-recovery/event-consistency';

/** The connections a command-line tool needs to reach all three stores, and how to close them. */
export interface CliContext {
  config: AppConfig;
  consistency: EventConsistency;
  redis: RedisClient;
  orm: MikroORM;
  /** The event as the read model knows it (used to restore the Redis record after a loss). */
  readModelEvent(eventId: string): Promise<SaleEvent | undefined>;
  close(): Promise<void>;
}

export function eventArgument(argv: readonly string[]): string {
  const i = argv.indexOf('--event');
  const eventId = i >= 0 ? argv[i + 1] : undefined;
  if (eventId === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(eventId)) {
    throw new ConfigError('usage: --event <eventId> (1-64 letters, digits, "_" or "-")');
  }
  return eventId;
}

export async function openCliContext(config: AppConfig = loadConfig()): Promise<CliContext> {
  // Never an embedded dynalite: one of the tool's own would be empty, the tool reads the running system's store.
  if (config.DYNAMODB_EMBEDDED || (config.DYNAMODB_ENDPOINT === undefined && config.DYNAMODB_REGION === undefined)) {
    throw new ConfigError(
      'DYNAMODB_ENDPOINT is not set: `npm start` runs dynalite on http://127.0.0.1:8000 and writes it to .env; ' +
        'set it (or DYNAMODB_REGION and AWS credentials for AWS, without DYNAMODB_EMBEDDED) to reach the write store',
    );
  }
  const dynamo = dynamoDbTarget(config);
  const catalog = loadCatalog(config.CATALOG_FILE);
  const redis = createRedisClient(config, 10_000, 'tickets-cli');
  await redis.connect();
  const db = createDynamoClients(dynamo.endpoint, dynamo.region);
  const writeStore = new DynamoTicketWriteStore(db, config);
  const orm = await MikroORM.init(readModelConfig(config.MYSQL_URL));
  const readModelEvents = new ReadModelEvents(orm);
  const consistency = EventConsistency.on(redis, config, catalog, writeStore, orm);
  return {
    config,
    consistency,
    redis,
    orm,
    async readModelEvent(eventId) {
      return (await readModelEvents.findSaleEvent(eventId))?.event;
    },
    async close() {
      await orm.close(true);
      db.destroy();
      redis.disconnect();
    },
  };
}

/** Runs a tool, printing a configuration or usage problem as one line and exiting with status 2. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}

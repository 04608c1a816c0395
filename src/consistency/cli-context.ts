import 'reflect-metadata';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { MikroORM } from '@mikro-orm/mysql';
import { Logger } from '@nestjs/common';
import { loadCatalog } from '../catalog/catalog.loader';
import type { SaleEvent } from '../catalog/catalog.schema';
import { ConfigError, dynamoDbTarget, type AppConfig } from '../platform/config/app-config';
import { loadConfig } from '../platform/config/load-env';
import { readModelConfig } from '../read-model/mikro-orm.config';
import { ReadModelEvents } from '../read-model/read-model-events';
import { createRedisClient, type RedisClient } from '../platform/redis/redis.factory';
import { connectRedis, dynamoSetting, reach } from '../platform/startup-failure';
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
  const db = createDynamoClients(dynamo.endpoint, dynamo.region);
  let orm: MikroORM;
  // Each store is reached once here, so a wrong setting is named at once rather than as a bare
  // ECONNREFUSED from the middle of the work; and a failure closes the rest, or the process would stay up.
  try {
    await connectRedis(redis, config);
    await reach(dynamoSetting(dynamo.endpoint !== undefined), db.endpoint, () =>
      db.sdk.send(new ListTablesCommand({ Limit: 1 })),
    );
    orm = await reach('MYSQL_URL', config.MYSQL_URL, async () => {
      const opened = await MikroORM.init(readModelConfig(config.MYSQL_URL));
      // The pool connects on the first query (checkConnection() only reports whether one is open).
      try {
        await opened.em.getConnection().execute('select 1');
        return opened;
      } catch (error) {
        await opened.close(true);
        throw error;
      }
    });
  } catch (error) {
    db.destroy();
    redis.disconnect();
    throw error;
  }
  const writeStore = new DynamoTicketWriteStore(db, config);
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
  // No Nest application sets the levels here, and Nest's default prints debug lines (a connection opened):
  // a tool's output is its report, with the platform's warnings and errors.
  Logger.overrideLogger(['fatal', 'error', 'warn', 'log']);
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

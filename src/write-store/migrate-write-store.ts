import { dynamoDbTarget, type AppConfig } from '../platform/config/app-config';
import { dynamoSetting, reach } from '../platform/startup-failure';
import { createDynamoClients } from './dynamodb.client';
import { ensureWriteStoreTables, missingWriteStoreTables, writeStoreTables } from './write-store-tables';

/**
 * The write store's part of `npm run migrate` (src/main.migrate.ts): creates the DynamoDB tables that are
 * missing and waits until they are ACTIVE; running it again creates nothing. The worker only checks for them.
 */
export async function migrateWriteStore(
  config: Pick<AppConfig, 'DYNAMODB_ENDPOINT' | 'DYNAMODB_REGION' | 'DYNAMODB_EMBEDDED' | 'DYNAMODB_TABLE_PREFIX'>,
  log: (line: string) => void,
): Promise<void> {
  const target = dynamoDbTarget(config);
  if (target.embedded) {
    // That dynalite starts inside the worker, in memory: nothing exists before it, so the worker creates them.
    log('DYNAMODB_EMBEDDED: the worker creates its tables in its own dynalite; nothing to do here');
    return;
  }
  const setting = dynamoSetting(target.endpoint !== undefined);
  const db = createDynamoClients(target.endpoint, target.region);
  try {
    const tables = writeStoreTables(config.DYNAMODB_TABLE_PREFIX);
    const missing = await reach(setting, db.endpoint, () => missingWriteStoreTables(db.sdk, tables));
    if (missing.length > 0) await reach(setting, db.endpoint, () => ensureWriteStoreTables(db.sdk, tables));
    if (missing.length === 0) log(`DynamoDB tables ${tables.seatEvents}, ${tables.tickets} are up to date`);
    for (const name of missing) log(`created DynamoDB table ${name}`);
  } finally {
    db.destroy();
  }
}

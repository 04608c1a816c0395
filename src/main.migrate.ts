import { readCliOptions } from './platform/cli/cli-options';
import { dynamoDbTarget } from './platform/config/app-config';
import { loadConfig } from './platform/config/load-env';
import { migrateReadModel } from './read-model/migrate-read-model';
import { migrateWriteStore } from './write-store/migrate-write-store';

/**
 * `npm run migrate`: the stores' schemas, as a step of its own before the API and the worker start (never
 * inside them): the read model's database and migrations on MySQL, then the write store's tables on DynamoDB.
 * Each part does only what is missing, so the step can run before every start.
 */
readCliOptions({
  usage: 'npm run migrate',
  about:
    "Creates the read model's database (MYSQL_URL) when missing and applies the pending migrations, then\n" +
    "creates the write store's DynamoDB tables (DYNAMODB_ENDPOINT or DYNAMODB_REGION, DYNAMODB_TABLE_PREFIX)\n" +
    'when missing. Run it before the API and the worker start; running it again changes nothing.',
  options: {},
  examples: ['MYSQL_URL=mysql://root@127.0.0.1:3306/tickets DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm run migrate'],
});

async function main(): Promise<void> {
  const config = loadConfig();
  // Where DynamoDB is, checked before MySQL is touched: a missing setting stops the step before it starts.
  dynamoDbTarget(config);
  const log = (line: string) => console.log(line);
  await migrateReadModel(config.MYSQL_URL, log);
  await migrateWriteStore(config, log);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

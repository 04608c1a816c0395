import { loadConfig } from '../platform/config/load-env';
import { ensureDatabase, readModelConfig, runMigrations, splitMysqlUrl } from './mikro-orm.config';

/**
 * `node dist/read-model/migrate.js`: creates the read model's database when missing and applies the pending
 * migrations. A step of its own, run before the API and the worker start (never inside them).
 */
async function main(): Promise<void> {
  const { MYSQL_URL } = loadConfig();
  const { dbName } = splitMysqlUrl(MYSQL_URL);
  if (await ensureDatabase(MYSQL_URL)) console.log(`created database ${dbName}`);
  const applied = await runMigrations(readModelConfig(MYSQL_URL));
  if (applied.length === 0) console.log(`database ${dbName} is up to date`);
  for (const name of applied) console.log(`applied ${name}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

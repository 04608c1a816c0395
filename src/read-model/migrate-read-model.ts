import { reach } from '../platform/startup-failure';
import { ensureDatabase, readModelConfig, runMigrations, splitMysqlUrl } from './mikro-orm.config';

/**
 * The read model's part of `npm run migrate` (src/main.migrate.ts): creates the database when missing and
 * applies the pending migrations; running it again applies nothing. A step of its own, run before the API and
 * the worker start (never inside them).
 */
export async function migrateReadModel(mysqlUrl: string, log: (line: string) => void): Promise<void> {
  const { dbName } = splitMysqlUrl(mysqlUrl);
  if (await reach('MYSQL_URL', mysqlUrl, () => ensureDatabase(mysqlUrl))) log(`created database ${dbName}`);
  const applied = await runMigrations(readModelConfig(mysqlUrl));
  if (applied.length === 0) log(`database ${dbName} is up to date`);
  for (const name of applied) log(`applied ${name}`);
}

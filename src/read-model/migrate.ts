import { readCliOptions } from '../platform/cli/cli-options';
import { loadConfig } from '../platform/config/load-env';
import { reach } from '../platform/startup-failure';
import { ensureDatabase, readModelConfig, runMigrations, splitMysqlUrl } from './mikro-orm.config';

/**
 * `npm run migrate`: creates the read model's database when missing and applies the pending migrations. A
 * step of its own, run before the API and the worker start (never inside them).
 */
readCliOptions({
  usage: 'npm run migrate',
  about:
    "Creates the read model's database (MYSQL_URL) when missing and applies the pending migrations. Run it\n" +
    'before the API and the worker start; running it again applies nothing.',
  options: {},
  examples: ['MYSQL_URL=mysql://root@127.0.0.1:3306/tickets npm run migrate'],
});

async function main(): Promise<void> {
  const { MYSQL_URL } = loadConfig();
  const { dbName } = splitMysqlUrl(MYSQL_URL);
  if (await reach('MYSQL_URL', MYSQL_URL, () => ensureDatabase(MYSQL_URL))) console.log(`created database ${dbName}`);
  const applied = await runMigrations(readModelConfig(MYSQL_URL));
  if (applied.length === 0) console.log(`database ${dbName} is up to date`);
  for (const name of applied) console.log(`applied ${name}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/mysql';
import {
  ensureDatabase,
  managementOrm,
  readModelConfig,
  runMigrations,
  splitMysqlUrl,
  type ReadModelOrm,
} from '../../src/read-model/mikro-orm.config';

const SERVER_URL = process.env.MYSQL_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

/** A throwaway database per test file, so runs never share rows and nothing has to be cleaned up row by row. */
export function throwawayMysqlUrl(): string {
  return `${SERVER_URL}/tickets_test_${randomBytes(4).toString('hex')}`;
}

/** Creates the database and applies the migrations, as the migrate step does; returns an ORM on it. */
export async function migratedDatabase(mysqlUrl: string): Promise<ReadModelOrm> {
  await ensureDatabase(mysqlUrl);
  await runMigrations(readModelConfig(mysqlUrl));
  return MikroORM.init(readModelConfig(mysqlUrl));
}

export async function dropDatabase(mysqlUrl: string): Promise<void> {
  const orm = await managementOrm(mysqlUrl);
  try {
    await orm.em.getConnection().execute(`drop database if exists \`${splitMysqlUrl(mysqlUrl).dbName}\``);
  } finally {
    await orm.close(true);
  }
}

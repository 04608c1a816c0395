import { MikroORM } from '@mikro-orm/mysql';
import {
  ensureDatabase,
  READ_MODEL_ENTITIES,
  readModelConfig,
  runMigrations,
} from '../../src/read-model/mikro-orm.config';
import { dropDatabase, throwawayMysqlUrl } from '../support/read-model-db';

describe('read model migrations', () => {
  const mysqlUrl = throwawayMysqlUrl();
  afterAll(async () => {
    await dropDatabase(mysqlUrl);
  });

  it('creates the database once: a second call finds it', async () => {
    expect(await ensureDatabase(mysqlUrl)).toBe(true);
    expect(await ensureDatabase(mysqlUrl)).toBe(false);
  });

  it('applies every migration on a fresh database, and nothing on a second run', async () => {
    expect(await runMigrations(readModelConfig(mysqlUrl))).toEqual([
      'Migration20261124000000_read_model',
      'Migration20261204000000_refunds',
    ]);
    expect(await runMigrations(readModelConfig(mysqlUrl))).toEqual([]);
  });

  it('creates a column for every property of every entity', async () => {
    const orm = await MikroORM.init(readModelConfig(mysqlUrl));
    try {
      const columns = await orm.em
        .fork()
        .getConnection()
        .execute<{ table_name: string; column_name: string }[]>(
          'select table_name as table_name, column_name as column_name from information_schema.columns where table_schema = database()',
        );
      const existing = new Set(columns.map((c) => `${c.table_name}.${c.column_name}`));
      for (const entity of READ_MODEL_ENTITIES) {
        const meta = orm.getMetadata<object>(entity);
        for (const prop of meta.props) {
          for (const field of prop.fieldNames) expect(existing).toContain(`${meta.tableName}.${field}`);
        }
      }
    } finally {
      await orm.close(true);
    }
  });
});

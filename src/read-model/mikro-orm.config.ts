import 'reflect-metadata';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/mysql';
import { EventRecord } from './entities/event.entity';
import { ProjectionCheckpointRecord } from './entities/projection-checkpoint.entity';
import { TicketRecord } from './entities/ticket.entity';
import { VenueRecord } from './entities/venue.entity';
import { ZoneRecord } from './entities/zone.entity';
import { Migration20261124000000_read_model } from './migrations/Migration20261124000000_read_model';
import { Migration20261204000000_refunds } from './migrations/Migration20261204000000_refunds';

export const READ_MODEL_ENTITIES = [VenueRecord, ZoneRecord, EventRecord, TicketRecord, ProjectionCheckpointRecord];

/**
 * Migrations are listed here rather than discovered in a folder: discovery imports files at run time, which
 * differs between ts sources under jest and compiled js in dist/. An imported class runs the same in both.
 * New migrations go in `src/read-model/migrations` (compiled to `dist/read-model/migrations`) and in this list.
 */
const MIGRATIONS = [
  { name: 'Migration20261124000000_read_model', class: Migration20261124000000_read_model },
  { name: 'Migration20261204000000_refunds', class: Migration20261204000000_refunds },
];

export type ReadModelOrm = MikroORM;

/** The read model's ORM configuration for one database URL (`mysql://user:pass@host:port/db`). */
export function readModelConfig(mysqlUrl: string, overrides: Options = {}): Options {
  return defineConfig({
    clientUrl: mysqlUrl,
    entities: READ_MODEL_ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    // Every unit of work forks its own EntityManager: a shared global one would mix requests' identity maps.
    allowGlobalContext: false,
    // Creating the database is the migrate step's job (ensureDatabase), not every process's start-up.
    ensureDatabase: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: 10 },
    migrations: {
      path: 'dist/read-model/migrations',
      pathTs: 'src/read-model/migrations',
      migrationsList: MIGRATIONS,
      // One master transaction is meaningless for MySQL DDL (each statement commits implicitly).
      allOrNothing: false,
      snapshot: false,
      silent: true,
    },
    ...overrides,
  });
}

/**
 * The database named by a MySQL URL, and the same server's `information_schema` (always there, readable by
 * any user), to reach the server before the database exists.
 */
export function splitMysqlUrl(mysqlUrl: string): { managementUrl: string; dbName: string } {
  const url = new URL(mysqlUrl);
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(dbName)) {
    throw new Error(`MYSQL_URL must name a database of letters, digits and "_" (got "${dbName}")`);
  }
  url.pathname = '/information_schema';
  return { managementUrl: url.toString(), dbName };
}

/** An ORM on the server's management database, for statements about databases rather than in one. */
export function managementOrm(mysqlUrl: string): Promise<MikroORM> {
  return MikroORM.init(
    defineConfig({
      clientUrl: splitMysqlUrl(mysqlUrl).managementUrl,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      ensureDatabase: false,
      allowGlobalContext: false,
      pool: { min: 0, max: 1 },
    }),
  );
}

/** Creates the URL's database when missing. Returns true when it was created. */
export async function ensureDatabase(mysqlUrl: string): Promise<boolean> {
  const { dbName } = splitMysqlUrl(mysqlUrl);
  const orm = await managementOrm(mysqlUrl);
  try {
    const connection = orm.em.getConnection();
    const existing = await connection.execute<{ name: string }[]>(
      'select schema_name as name from information_schema.schemata where schema_name = ?',
      [dbName],
    );
    if (existing.length > 0) return false;
    await connection.execute(
      `create database if not exists \`${dbName}\` character set utf8mb4 collate utf8mb4_unicode_ci`,
    );
    return true;
  } finally {
    await orm.close(true);
  }
}

/** Applies the pending migrations; returns the names applied (empty when the schema is current). */
export async function runMigrations(config: Options): Promise<string[]> {
  const orm = await MikroORM.init(config);
  try {
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

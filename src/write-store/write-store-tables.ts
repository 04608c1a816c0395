import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { sleep } from '../platform/time';

export const EVENT_INDEX = 'by-event';

const TABLE_ACTIVE_TIMEOUT_MS = 60_000;

/** The write store's two tables, named after DYNAMODB_TABLE_PREFIX. */
export interface WriteStoreTables {
  readonly seatEvents: string;
  readonly tickets: string;
}

export const writeStoreTables = (prefix: string): WriteStoreTables => ({
  seatEvents: `${prefix}-seat-events`,
  tickets: `${prefix}-tickets`,
});

/**
 * Creates the tables if missing and waits until they and their index are ACTIVE; safe to run again and from
 * several places at once. The migrate step (`npm run migrate`) runs it; the worker only checks (see
 * missingWriteStoreTables), except on an embedded dynalite, which no other process can reach.
 */
export async function ensureWriteStoreTables(sdk: DynamoDBClient, tables: WriteStoreTables): Promise<void> {
  // allSettled: a failure must not return while the other table's call is still retrying.
  const results = await Promise.allSettled([
    createTable(sdk, {
      TableName: tables.seatEvents,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'streamId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
    }),
    createTable(sdk, {
      TableName: tables.tickets,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'ticketId', AttributeType: 'S' },
        { AttributeName: 'eventId', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'ticketId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: EVENT_INDEX,
          KeySchema: [
            { AttributeName: 'eventId', KeyType: 'HASH' },
            { AttributeName: 'ticketId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

async function createTable(sdk: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await sdk.send(new CreateTableCommand(input));
  } catch (error) {
    // Another instance (or an earlier start) created it: fine, wait for it like for our own.
    const exists =
      error instanceof ResourceInUseException || (error instanceof Error && error.name === 'ResourceInUseException');
    if (!exists) throw error;
  }
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await sdk.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (isActive(Table)) return;
    if (Date.now() > deadline)
      throw new Error(`table ${input.TableName} not ACTIVE after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

const isActive = (table: TableDescription | undefined): boolean =>
  table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');

/**
 * The write store's tables that do not exist or are not ACTIVE yet, by name: what the worker checks at start
 * instead of creating them, so a worker pointed at the wrong prefix or an unmigrated DynamoDB stops and says
 * so rather than creating tables of its own there.
 */
export async function missingWriteStoreTables(sdk: DynamoDBClient, tables: WriteStoreTables): Promise<string[]> {
  const missing: string[] = [];
  for (const name of [tables.seatEvents, tables.tickets]) {
    try {
      const { Table } = await sdk.send(new DescribeTableCommand({ TableName: name }));
      if (!isActive(Table)) missing.push(name);
    } catch (error) {
      const notFound =
        error instanceof ResourceNotFoundException ||
        (error instanceof Error && error.name === 'ResourceNotFoundException');
      if (!notFound) throw error;
      missing.push(name);
    }
  }
  return missing;
}

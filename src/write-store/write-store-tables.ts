import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/** Creates the tables if missing and waits until they and their index are ACTIVE; safe from every instance. */
export async function ensureWriteStoreTables(
  document: DynamoDBDocumentClient,
  tables: WriteStoreTables,
): Promise<void> {
  // allSettled: a failure must not return while the other table's call is still retrying.
  const results = await Promise.allSettled([
    createTable(document, {
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
    createTable(document, {
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

async function createTable(document: DynamoDBDocumentClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await document.send(new CreateTableCommand(input));
  } catch (error) {
    // Another instance (or an earlier start) created it: fine, wait for it like for our own.
    const exists =
      error instanceof ResourceInUseException || (error instanceof Error && error.name === 'ResourceInUseException');
    if (!exists) throw error;
  }
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await document.send(new DescribeTableCommand({ TableName: input.TableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline)
      throw new Error(`table ${input.TableName} not ACTIVE after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mapBounded } from './bounded-concurrency';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { isConditionFailed, queryAll, sendUntilProcessed, toItem, type Item } from './dynamo-items';
import { supersedeCondition, type StoredTicketRecord, type TicketRecord } from './ticket-record.rule';
import type { TicketCreation } from './ticket-write-store.port';
import { EVENT_INDEX } from './write-store-tables';

/** BatchGetItem's limit. */
const BATCH_GET_SIZE = 100;
/**
 * Record writes in flight per call. One conditional PutItem each: BatchWriteItem takes no condition, and
 * dynalite has no TransactWriteItems.
 */
const WRITES_IN_FLIGHT = 32;

/** The store's bookkeeping, not part of the write model it hands out. */
const withoutVersion = ({ streamVersion: _version, ...creation }: StoredTicketRecord): TicketCreation => creation;

/**
 * The TicketCreation records, one per ticket. Each is a pure function of its ticket's stream items, so
 * rewriting one is idempotent; but writers derive them from different reads of the stream and their writes
 * land in any order, so each put is conditioned on the record moving forward (ticket-record.rule.ts).
 */
export class TicketRecords {
  constructor(
    private readonly json: DynamoItemClient,
    private readonly table: string,
  ) {}

  /** The tickets that already have a TicketCreation: the redelivery fast path, no conditional write. */
  async find(ticketIds: readonly string[]): Promise<Map<string, TicketCreation>> {
    const keys: Item[] = [...new Set(ticketIds)].map((ticketId) => ({ ticketId: { S: ticketId } }));
    const found = new Map<string, TicketCreation>();
    await sendUntilProcessed(keys, BATCH_GET_SIZE, 'ticket reads', async (batch) => {
      const reply = await this.json.call<{
        Responses?: Record<string, Item[]>;
        UnprocessedKeys?: Record<string, { Keys: Item[] }>;
      }>('BatchGetItem', { RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } } });
      for (const item of reply.Responses?.[this.table] ?? []) {
        const creation = withoutVersion(unmarshall(item) as StoredTicketRecord);
        found.set(creation.ticketId, creation);
      }
      return reply.UnprocessedKeys?.[this.table]?.Keys ?? [];
    });
    return found;
  }

  /**
   * Puts each record unless the one stored is as new or newer: a failed condition means a writer that read
   * as much of the stream or more got there first, so its record stands and this one is done.
   */
  async write(records: readonly TicketRecord[]): Promise<void> {
    await mapBounded(records, WRITES_IN_FLIGHT, async (record) => {
      try {
        await this.json.call('PutItem', { TableName: this.table, Item: toItem(record), ...supersedeCondition(record) });
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    });
  }

  /** Every TicketCreation of an event (paged Query on the eventId index; eventually consistent on AWS). */
  async listByEvent(eventId: string): Promise<TicketCreation[]> {
    const records = await queryAll<StoredTicketRecord>(this.json, {
      TableName: this.table,
      IndexName: EVENT_INDEX,
      KeyConditionExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':eventId': { S: eventId } },
    });
    return records.map(withoutVersion);
  }
}

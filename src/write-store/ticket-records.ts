import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { queryAll, sendUntilProcessed, toItem, type Item } from './dynamo-items';
import type { TicketCreation } from './ticket-write-store.port';
import { EVENT_INDEX } from './write-store-tables';

type WriteRequest = { PutRequest: { Item: Item } };

/** BatchGetItem's and BatchWriteItem's limits. */
const BATCH_GET_SIZE = 100;
const BATCH_WRITE_SIZE = 25;

/**
 * The TicketCreation records, one per ticket. Written without a condition: each is a pure function of its
 * ticket's stream item, so rewriting one is idempotent.
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
        const creation = unmarshall(item) as TicketCreation;
        found.set(creation.ticketId, creation);
      }
      return reply.UnprocessedKeys?.[this.table]?.Keys ?? [];
    });
    return found;
  }

  async write(creations: readonly TicketCreation[]): Promise<void> {
    const requests: WriteRequest[] = creations.map((creation) => ({ PutRequest: { Item: toItem(creation) } }));
    await sendUntilProcessed(requests, BATCH_WRITE_SIZE, `writes to ${this.table}`, async (batch) => {
      const reply = await this.json.call<{ UnprocessedItems?: Record<string, WriteRequest[]> }>('BatchWriteItem', {
        RequestItems: { [this.table]: batch },
      });
      return reply.UnprocessedItems?.[this.table] ?? [];
    });
  }

  /** Every TicketCreation of an event (paged Query on the eventId index; eventually consistent on AWS). */
  listByEvent(eventId: string): Promise<TicketCreation[]> {
    return queryAll<TicketCreation>(this.json, {
      TableName: this.table,
      IndexName: EVENT_INDEX,
      KeyConditionExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':eventId': { S: eventId } },
    });
  }
}

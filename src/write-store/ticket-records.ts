import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { queryAll, sendUntilProcessed, toItem, type Item } from './dynamo-items';
import { creationsOf, itemsOf } from './ticket-record-items';
import type { TicketCreation } from './ticket-write-store.port';
import { EVENT_INDEX } from './write-store-tables';

type WriteRequest = { PutRequest: { Item: Item } };

/** BatchGetItem's and BatchWriteItem's limits. */
const BATCH_GET_SIZE = 100;
const BATCH_WRITE_SIZE = 25;

/**
 * The TicketCreation records: a ticket item per ticket, and a refund item per refunded ticket (see
 * ticket-record-items.ts). Written without a condition: each item is a pure function of one stream item, so
 * rewriting it is idempotent, and writes derived from older reads of a stream can land in any order.
 */
export class TicketRecords {
  constructor(
    private readonly json: DynamoItemClient,
    private readonly table: string,
  ) {}

  /**
   * The tickets that already have a TicketCreation, as their ticket item says (RESERVED or CANCELLED): the
   * redelivery fast path, no conditional write. Refund items are not read: a reservation's delivery is
   * answered the same whether its ticket was refunded since or not.
   */
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
    const requests: WriteRequest[] = creations.flatMap(itemsOf).map((item) => ({ PutRequest: { Item: toItem(item) } }));
    await sendUntilProcessed(requests, BATCH_WRITE_SIZE, `writes to ${this.table}`, async (batch) => {
      const reply = await this.json.call<{ UnprocessedItems?: Record<string, WriteRequest[]> }>('BatchWriteItem', {
        RequestItems: { [this.table]: batch },
      });
      return reply.UnprocessedItems?.[this.table] ?? [];
    });
  }

  /** Every TicketCreation of an event (paged Query on the eventId index; eventually consistent on AWS). */
  async listByEvent(eventId: string): Promise<TicketCreation[]> {
    const items = await queryAll<TicketCreation>(this.json, {
      TableName: this.table,
      IndexName: EVENT_INDEX,
      KeyConditionExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':eventId': { S: eventId } },
    });
    return creationsOf(items);
  }
}

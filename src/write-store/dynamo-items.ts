import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mapBounded } from './bounded-concurrency';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { sleep } from '../platform/time';

export type Item = Record<string, AttributeValue>;

const BATCHES_IN_FLIGHT = 8;
const MAX_UNPROCESSED_ROUNDS = 8;

/** Thrown when DynamoDB keeps handing back unprocessed keys or items: throttling, so transient. */
export class UnprocessedRequestsError extends Error {
  override readonly name = 'UnprocessedRequestsError';
}

export const toItem = (value: object): Item => marshall(value, { removeUndefinedValues: true });

/**
 * Sends `requests` in batches of `size` (BatchGetItem's 100 keys, BatchWriteItem's 25 items), 8 batches in
 * flight. `send` returns what DynamoDB handed back unprocessed (throttling); that goes again after a growing
 * pause, until nothing is left or 8 rounds have passed.
 */
export async function sendUntilProcessed<R>(
  requests: readonly R[],
  size: number,
  what: string,
  send: (batch: R[]) => Promise<R[]>,
): Promise<void> {
  const batches: R[][] = [];
  for (let i = 0; i < requests.length; i += size) batches.push(requests.slice(i, i + size));
  await mapBounded(batches, BATCHES_IN_FLIGHT, async (batch) => {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_UNPROCESSED_ROUNDS) {
        throw new UnprocessedRequestsError(`${pending.length} ${what} still unprocessed after ${round} rounds`);
      }
      if (round > 0) await sleep(Math.min(25 * 2 ** round, 1000));
      pending = await send(pending);
    }
  });
}

/** Every page of a Query (a page holds up to 1 MB), its items unmarshalled. */
export async function queryAll<T>(json: DynamoItemClient, input: object): Promise<T[]> {
  const items: T[] = [];
  let startKey: Item | undefined;
  do {
    const page = await json.call<{ Items?: Item[]; LastEvaluatedKey?: Item }>('Query', {
      ...input,
      ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
    });
    for (const item of page.Items ?? []) items.push(unmarshall(item) as T);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

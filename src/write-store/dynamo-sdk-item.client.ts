import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';

/** The operations the write store sends on items, in DynamoDB's own names. */
export type DynamoItemOperation = 'PutItem' | 'BatchWriteItem' | 'BatchGetItem' | 'Query';

/**
 * What the write store needs for its items: one DynamoDB operation on low-level attribute values, the reply as
 * DynamoDB sends it. Failures carry DynamoDB's error type as `name` and the status in `$metadata`, which the
 * SDK's errors and DynamoJsonClient's share.
 */
export interface DynamoItemClient {
  call<T>(operation: DynamoItemOperation, input: object): Promise<T>;
  destroy(): void;
}

const COMMANDS = {
  PutItem: PutItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  BatchGetItem: BatchGetItemCommand,
  Query: QueryCommand,
} as const;

/**
 * The item calls through the SDK's bare client (DYNAMODB_CLIENT=sdk): the SDK's middleware, retry strategy and
 * error types, at ~5x the client CPU per call of DynamoJsonClient (`npm run bench:dynamo-client`). The
 * client's own retries and timeouts apply; its service errors already have the shape DynamoJsonClient copies.
 */
export class DynamoSdkItemClient implements DynamoItemClient {
  constructor(private readonly client: DynamoDBClient) {}

  async call<T>(operation: DynamoItemOperation, input: object): Promise<T> {
    // One command class per operation; their inputs differ in type only, and the caller built this one.
    const Command = COMMANDS[operation] as unknown as new (input: object) => PutItemCommand;
    return (await this.client.send(new Command(input))) as T;
  }

  destroy(): void {
    this.client.destroy();
  }
}

import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { DynamoJsonClient, DynamoServiceError } from '../../src/write-store/dynamo-json.client';
import { isTransientDynamoError } from '../../src/write-store/dynamodb-errors';
import { TestDynamo } from '../support/dynalite';
import { ThrottlingProxy } from '../support/throttling-proxy';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const client = (endpoint: string, maxAttempts = 3) =>
  new DynamoJsonClient({
    endpoint,
    region: 'eu-west-1',
    credentials: () => Promise.resolve(credentials),
    maxAttempts,
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 2000,
    maxSockets: 8,
  });

/** Rejects with the error the call failed with; fails the test if it resolves. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

/** The SDK's own SigV4 signer, as a second opinion on the signature. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class NodeSha256 {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

describe('DynamoJsonClient: the persist path on DynamoDB JSON protocol', () => {
  let dynamo: TestDynamo;
  let table: string;

  beforeAll(async () => {
    dynamo = await TestDynamo.start();
    table = (await dynamo.freshStore()).seatEventsTable;
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('appends with a condition once, then answers ConditionalCheckFailedException without retrying it', async () => {
    const proxy = await ThrottlingProxy.start(new URL(dynamo.server.endpoint));
    let requests = 0;
    proxy.throttle = () => {
      requests++;
      return false;
    };
    const db = client(proxy.endpoint);
    const put = {
      TableName: table,
      Item: { streamId: { S: 'json#1#A#1' }, version: { N: '1' }, ticketId: { S: 't1' } },
      ConditionExpression: 'attribute_not_exists(streamId)',
    };

    await expect(db.call('PutItem', put)).resolves.toEqual({});
    const error = await failure(db.call('PutItem', put));

    expect(error).toBeInstanceOf(DynamoServiceError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });
    expect(isTransientDynamoError(error)).toBe(false);
    expect(requests).toBe(2);
    const read = await db.call<{ Items: unknown[] }>('Query', {
      TableName: table,
      KeyConditionExpression: 'streamId = :s',
      ExpressionAttributeValues: { ':s': { S: 'json#1#A#1' } },
      ConsistentRead: true,
    });
    expect(read.Items).toEqual([put.Item]);
    db.destroy();
    await proxy.close();
  });

  it('retries a throttled call with backoff and gives up after maxAttempts with a transient error', async () => {
    const proxy = await ThrottlingProxy.start(new URL(dynamo.server.endpoint));
    const db = client(proxy.endpoint, 3);
    const get = { RequestItems: { [table]: { Keys: [{ streamId: { S: 'json#9#Z#9' }, version: { N: '1' } }] } } };

    let throttleNext = 2;
    proxy.throttle = () => throttleNext-- > 0;
    await expect(db.call('BatchGetItem', get)).resolves.toEqual({ Responses: { [table]: [] }, UnprocessedKeys: {} });
    expect(proxy.throttled).toBe(2);

    proxy.throttle = () => true;
    const error = await failure(db.call('BatchGetItem', get));
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(isTransientDynamoError(error)).toBe(true);
    expect(proxy.throttled).toBe(2 + 3);
    db.destroy();
    await proxy.close();
  });

  it('refuses a malformed request with the service error, not retried', async () => {
    const db = client(dynamo.server.endpoint);
    const error = await failure(db.call('PutItem', { TableName: table, Item: { streamId: { S: 'no-version' } } }));
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(isTransientDynamoError(error)).toBe(false);
    db.destroy();
  });

  it('signs each request with SigV4 exactly as the AWS SDK signer computes it', async () => {
    let captured: { headers: IncomingHttpHeaders; body: string } | undefined;
    const recorder: Server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        captured = { headers: request.headers, body };
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const port = (recorder.address() as AddressInfo).port;
    const db = client(`http://127.0.0.1:${port}`);

    await db.call('PutItem', { TableName: 'signed', Item: { streamId: { S: 'a' }, version: { N: '1' } } });

    const { headers, body } = captured!;
    const authorization = String(headers['authorization']);
    const [, scope, signedHeaders, signature] =
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8}\/eu-west-1\/dynamodb\/aws4_request), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      ) ?? [];
    expect(scope).toBeDefined();
    expect(signedHeaders!.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']));
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');

    const amzDate = String(headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signed = signedHeaders!.split(';');
    const sdk = new SignatureV4({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials,
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const expected = await sdk.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: '/',
        query: {},
        headers: Object.fromEntries(signed.map((name) => [name, String(headers[name])])),
        body,
      },
      { signingDate, signableHeaders: new Set(signed) },
    );
    expect(signature).toBe(/Signature=([0-9a-f]{64})/.exec(String(expected.headers['authorization']))![1]);
    db.destroy();
    await new Promise((resolve) => recorder.close(resolve));
  });
});

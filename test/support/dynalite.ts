import {
  createDynamoClients,
  type DynamoClientOptions,
  type DynamoClients,
} from '../../src/write-store/dynamodb.client';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';

let prefixes = 0;

const itemClientOfEnv = (): 'json' | 'sdk' => (process.env.DYNAMODB_CLIENT === 'sdk' ? 'sdk' : 'json');

/** One embedded dynalite per test file: start it in beforeAll, close it in afterAll. */
export class TestDynamo {
  private constructor(
    readonly server: DynaliteServer,
    readonly clients: DynamoClients,
  ) {}

  /** The SDK's client, for tests that read or plant items directly. */
  get db(): DynamoClients['sdk'] {
    return this.clients.sdk;
  }

  /** Items through the JSON client, or through the SDK with DYNAMODB_CLIENT=sdk in the test's environment. */
  static async start(): Promise<TestDynamo> {
    const server = await startDynalite();
    return new TestDynamo(server, createDynamoClients(server.endpoint, 'us-east-1', { itemClient: itemClientOfEnv() }));
  }

  /** A store on its own fresh tables, so tests in a file share nothing. */
  async freshStore(): Promise<DynamoTicketWriteStore> {
    prefixes++;
    const store = new DynamoTicketWriteStore(this.clients, { DYNAMODB_TABLE_PREFIX: `test${prefixes}` });
    await store.ensureTables();
    return store;
  }

  /** Another client on the same server, e.g. with short timeouts. */
  client(options: DynamoClientOptions = {}, endpoint = this.server.endpoint): DynamoClients {
    return createDynamoClients(endpoint, 'us-east-1', { itemClient: itemClientOfEnv(), ...options });
  }

  async close(): Promise<void> {
    this.clients.destroy();
    await this.server.close();
  }
}

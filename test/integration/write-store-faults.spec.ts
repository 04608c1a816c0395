import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDynamoClients } from '../../src/write-store/dynamodb.client';
import { isTransientDynamoError } from '../../src/write-store/dynamodb-errors';
import { startDynalite } from '../../src/write-store/dynalite.server';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { reservedTicket } from '../support/tickets';
import { freshEventId } from '../support/test-config';

/** Rejects with the error the call failed with, and how long it took; fails the test if it resolves. */
async function failure(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the call to reject');
}

describe('write store against an unreachable DynamoDB', () => {
  const ticket = () => reservedTicket(freshEventId('ws-fault'), { zoneId: 1, row: 'A', column: 1 });

  it('rejects with a transient error within a bounded time when dynalite has stopped', async () => {
    const dynalite = await startDynalite();
    const db = createDynamoClients(dynalite.endpoint, 'us-east-1', { maxAttempts: 2 });
    const store = new DynamoTicketWriteStore(db, { DYNAMODB_TABLE_PREFIX: 'faults' });
    await store.ensureTables();
    await store.persist([ticket()]);
    await dynalite.close();

    const { error, ms } = await failure(store.persist([ticket()]));

    expect(isTransientDynamoError(error)).toBe(true);
    expect(ms).toBeLessThan(5000);
    db.destroy();
  });

  it('rejects with a transient error within a bounded time when the endpoint accepts but never answers', async () => {
    // A black hole: connections open, requests vanish. Only the request timeout can end the call.
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    const db = createDynamoClients(endpoint, 'us-east-1', { maxAttempts: 2, requestTimeoutMs: 500 });
    const store = new DynamoTicketWriteStore(db, { DYNAMODB_TABLE_PREFIX: 'faults' });

    const { error, ms } = await failure(store.persist([ticket()]));

    expect(isTransientDynamoError(error)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
    db.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('fails table creation at start-up within a bounded time when nothing listens on the endpoint', async () => {
    const dynalite = await startDynalite();
    await dynalite.close();
    const db = createDynamoClients(dynalite.endpoint, 'us-east-1');
    const store = new DynamoTicketWriteStore(db, { DYNAMODB_TABLE_PREFIX: 'faults' });

    const { error, ms } = await failure(store.ensureTables());

    expect(isTransientDynamoError(error)).toBe(true);
    expect(ms).toBeLessThan(5000);
    db.destroy();
  });
});

import type { AddressInfo } from 'node:net';

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`, for `createDynamoClients`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface DynaliteStartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A LevelDB directory that survives restarts; in memory (~1.8 KB per item) when absent. */
  path?: string;
}

/**
 * An embedded DynamoDB (dynalite) in this process: for tests, scripts (dynalite.main.ts) and a worker started
 * with DYNAMODB_EMBEDDED=true. Tables are ACTIVE at once (`createTableMs: 0`) and it listens on loopback only.
 */
export async function startDynalite(options: DynaliteStartOptions = {}): Promise<DynaliteServer> {
  // Loaded on first use: dynalite is a devDependency, absent from the production images (`npm ci
  // --omit=dev`), which never start it.
  const { default: dynalite } = await import('dynalite');
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path !== undefined && { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of clients would hold the close open for dynalite's 30 s shutdown timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly backlog: number;
}

/**
 * Extra listening sockets on the API's own port, each handing its connections to the one HTTP server.
 *
 * Why: libuv accepts one connection per listening socket per event-loop turn (libuv PR 3696, Node 20 on). Under
 * load a turn serves every connection that has a request ready (30-50 ms at 1000 busy connections), so when a
 * sale opens and a thousand buyers connect at once, the kernel's accept queue drains at 20-30 connections a
 * second: measured, 190 of 1000 connections waited over 10 s for their first answer (ARCHITECTURE.md). With
 * SO_REUSEPORT the kernel spreads new connections over every socket bound to the port, and each socket gets its
 * accept in every turn.
 *
 * The HTTP server's own socket is the first of the group (it listens with `reusePort` too); the others are
 * plain net servers whose connections are injected with the HTTP server's `connection` event, the way Node
 * documents for that purpose. They close before the HTTP server does (`preClose`), so a shutting-down API
 * stops taking connections on every socket at once.
 */
export class AcceptSockets {
  private readonly extra: NetServer[] = [];

  /** `count`: sockets in all, the HTTP server's included; 1 leaves the HTTP server alone. */
  constructor(readonly count: number) {}

  /** Whether the HTTP server must listen with SO_REUSEPORT so that the extra sockets can join its port. */
  get reusePort(): boolean {
    return this.count > 1;
  }

  /** Opens the extra sockets on the address the HTTP server listens on (its real port, when 0 was asked). */
  async open(httpServer: HttpServer, address: ListenAddress): Promise<void> {
    const inject = (socket: Socket) => httpServer.emit('connection', socket);
    for (let i = 1; i < this.count; i++) {
      // The socket options node:http's own server accepts with (it answers half-closed requests itself).
      const server = createServer({ allowHalfOpen: true, noDelay: true }, inject);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ ...address, reusePort: true, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.extra.push(server);
    }
  }

  /**
   * Stops accepting on the extra sockets. Connections already handed over stay with the HTTP server, which
   * closes them as it closes its own (waiting for them here would wait for the idle keep-alive ones forever).
   */
  close(): void {
    for (const server of this.extra.splice(0)) server.close();
  }
}

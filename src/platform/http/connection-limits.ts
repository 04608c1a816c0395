import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';
import type { AppConfig } from '../config/app-config';

type LimitsConfig = Pick<AppConfig, 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_CONNECTION_TIMEOUT_MS'>;

/**
 * Fastify's server options that bound how long a client may hold a connection. Fastify sets Node's
 * requestTimeout to 0 (none), so without them a request whose body arrives a byte at a time keeps its socket
 * for good. Node enforces the request and header timeouts on a periodic sweep (every 30 s by default): the
 * sweep runs four times per timeout so a slow client is cut within about 1.25 timeouts.
 */
export function connectionTimeouts(
  config: LimitsConfig,
): Pick<FastifyHttpOptions<HttpServer>, 'requestTimeout' | 'connectionTimeout' | 'http'> {
  const timeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout: timeout,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    http: {
      // Node refuses a headers timeout longer than the request's, and its default (60 s) is.
      requestTimeout: timeout,
      headersTimeout: timeout,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.ceil(timeout / 4))),
    },
  };
}

/**
 * Closes connections past `max` as they arrive. Node's own `maxConnections` counts only the sockets its
 * server accepted itself, and the API hands the HTTP server connections from its other accept sockets too
 * (AcceptSockets): every connection of either kind reaches the `connection` event, so the count is kept there.
 */
export function capConnections(server: HttpServer, max: number): void {
  let open = 0;
  server.prependListener('connection', (socket: Socket) => {
    if (open >= max) {
      socket.destroy();
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}

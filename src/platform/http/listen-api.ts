import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/app-config';
import { AcceptSockets } from './accept-sockets';

type ListenConfig = Pick<AppConfig, 'HOST' | 'PORT' | 'HTTP_BACKLOG' | 'HTTP_ACCEPT_SOCKETS'>;

/**
 * Listens as production does: the configured backlog, and HTTP_ACCEPT_SOCKETS sockets sharing the port
 * (AcceptSockets). Each process of API_PROCESSES binds its own sockets (`exclusive`), so the kernel spreads
 * connections over every socket of every process instead of node:cluster passing them on one at a time.
 */
export async function listenApi(app: NestFastifyApplication, config: ListenConfig): Promise<AddressInfo> {
  const sockets = new AcceptSockets(config.HTTP_ACCEPT_SOCKETS);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preClose', (done) => {
      sockets.close();
      done();
    });
  const reuse = sockets.reusePort ? { reusePort: true, exclusive: cluster.isWorker } : {};
  // `reusePort` is a node:net listen option that Fastify passes through but does not declare.
  await app.listen({ port: config.PORT, host: config.HOST, backlog: config.HTTP_BACKLOG, ...reuse } as never);
  const address = app.getHttpServer().address() as AddressInfo;
  await sockets.open(app.getHttpServer(), { host: config.HOST, port: address.port, backlog: config.HTTP_BACKLOG });
  return address;
}

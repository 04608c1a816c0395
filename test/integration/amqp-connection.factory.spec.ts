import { createServer, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { AMQP_CONNECTION_NAMES, openAmqpConnection } from '../../src/platform/amqp/amqp-connection.factory';
import { printableTarget } from '../../src/platform/startup-failure';
import { TcpProxy } from '../support/tcp-proxy';
import { testConfig } from '../support/test-config';
import { waitFor } from '../support/queue-reader';

const config = testConfig();
const broker = new URL(config.AMQP_URL);

/** The AMQP field-table entry `connection_name` = long string `name`, as it goes over the wire in start-ok. */
const connectionNameEntry = (name: string): Buffer =>
  Buffer.concat([
    Buffer.from([15]),
    Buffer.from('connection_name'),
    Buffer.from('S'),
    Buffer.from([0, 0, 0, name.length]),
    Buffer.from(name),
  ]);

describe('the AMQP connection factory, against the real broker', () => {
  let proxy: TcpProxy;
  let warn: jest.SpyInstance;
  let debug: jest.SpyInstance;

  beforeEach(async () => {
    proxy = await new TcpProxy(broker.hostname, Number(broker.port || 5672)).start();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    warn.mockRestore();
    debug.mockRestore();
    await proxy.stop();
  });

  const viaProxy = (): string => {
    const url = new URL(config.AMQP_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  };

  it("announces the role's connection name in the handshake, the name the broker lists the connection by", async () => {
    const connection = await openAmqpConnection(viaProxy(), AMQP_CONNECTION_NAMES.apiPublisher);
    try {
      const sent = Buffer.concat(proxy.fromClients);
      expect(sent.includes(connectionNameEntry('tickets-api-publisher'))).toBe(true);
      // The handshake completed: the broker accepted it and the connection works.
      const channel = await connection.createChannel();
      await channel.close();
    } finally {
      await connection.close();
    }
    // Opened and closed by this process: debug lines of the one shape, no warning.
    expect(warn).not.toHaveBeenCalled();
    const where = printableTarget(viaProxy());
    expect(debug.mock.calls.map(([line]) => String(line))).toEqual([
      `AMQP connection tickets-api-publisher opened (${where})`,
      `AMQP connection tickets-api-publisher closed (${where})`,
    ]);
  });

  it('logs a connection the broker link dropped as one warning naming the role and the reason', async () => {
    const connection = await openAmqpConnection(viaProxy(), AMQP_CONNECTION_NAMES.seatFeed);
    const closed = new Promise<void>((resolve) => connection.on('close', () => resolve()));
    proxy.cut();
    await closed;
    await waitFor(() => warn.mock.calls.length > 0, 2000, 'the warning');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^AMQP connection tickets-api-seat-feed lost \(amqp:\/\/.*\): /);
  });

  it('gives up on a broker that accepts the socket and never answers, within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    try {
      await expect(
        openAmqpConnection(`amqp://guest:guest@127.0.0.1:${port}`, AMQP_CONNECTION_NAMES.rebuildSeats, 300),
      ).rejects.toThrow(/ETIMEDOUT/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

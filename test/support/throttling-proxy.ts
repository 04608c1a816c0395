import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a DynamoDB endpoint that answers chosen operations as DynamoDB does when it
 * throttles (400, `ThrottlingException`) and forwards everything else: a fault on the wire, whatever client
 * the code under test uses.
 */
export class ThrottlingProxy {
  /** Called per request with its operation (`BatchWriteItem`, ...): true answers it throttled. */
  throttle: (operation: string) => boolean = () => false;
  throttled = 0;
  endpoint = '';
  private readonly server: Server;

  private constructor(private readonly target: URL) {
    this.server = createServer((incoming, outgoing) => this.handle(incoming, outgoing));
  }

  static async start(target: URL): Promise<ThrottlingProxy> {
    const proxy = new ThrottlingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.endpoint = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    if (this.throttle(operation)) {
      this.throttled++;
      incoming.resume();
      outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      outgoing.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
          message: 'Rate of requests exceeds the allowed throughput',
        }),
      );
      return;
    }
    const { hostname, port } = this.target;
    const { method, url: path, headers } = incoming;
    const forwarded = request({ hostname, port, method, path, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  }
}

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real endpoint (dynalite) that can be told to answer every request with an
 * AWS-style error instead of forwarding it: expired credentials or a denied action, the refusals a
 * credential-provider blip produces on AWS, which no TCP cut can stand in for.
 */
export class RefusingHttpProxy {
  port = 0;
  /** How many requests were refused since the last `refuse()`. */
  refused = 0;
  private refusal: { type: string; message: string } | undefined;
  private server: Server | undefined;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<this> {
    this.server = createServer((incoming, outgoing) => {
      if (this.refusal !== undefined) {
        this.refused++;
        incoming.resume();
        const body = JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${this.refusal.type}`,
          message: this.refusal.message,
        });
        outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': body.length });
        outgoing.end(body);
        return;
      }
      const forwarded = request(
        {
          host: '127.0.0.1',
          port: this.targetPort,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  refuse(type: string, message: string): void {
    this.refused = 0;
    this.refusal = { type, message };
  }

  restore(): void {
    this.refusal = undefined;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

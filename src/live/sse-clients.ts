import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { errorBody } from '../platform/http/error-body';

/** A comment line this often keeps proxies and browsers from timing an idle stream out. */
const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is dropped (its browser reconnects and gets a new snapshot). */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2000;

/** One open server-sent-event response. */
export class SseStream {
  private closed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly response: ServerResponse) {
    response.once('close', () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** `json` must be one line (JSON.stringify without indentation is). */
  send(event: string, json: string): void {
    this.write(`event: ${event}\ndata: ${json}\n\n`);
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /** Runs when the stream ends, whichever side ended it; at once if it has ended already. */
  onClose(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.cleanups.push(cleanup);
  }

  close(): void {
    if (!this.closed) this.response.end();
    this.finish();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.response.writableLength > MAX_BUFFERED_BYTES) {
      this.response.destroy();
      this.finish();
      return;
    }
    this.response.write(chunk);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

/**
 * Every live stream of this process (seat maps and the ops view): the caps on their number, in all and per
 * client address, one heartbeat timer for all of them, and their end at shutdown — an open stream would
 * otherwise keep the HTTP server from closing until the shutdown deadline.
 */
@Injectable()
export class SseClients implements BeforeApplicationShutdown {
  private readonly streams = new Set<SseStream>();
  private readonly perAddress = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get count(): number {
    return this.streams.size;
  }

  /**
   * Answers the request itself when there is no room for another stream: 503 when the process is full
   * (LIVE_MAX_CLIENTS) or shutting down, 429 when the client's address holds its share already. True if it did.
   */
  async refused(reply: FastifyReply): Promise<boolean> {
    if (this.closing || this.streams.size >= this.config.LIVE_MAX_CLIENTS) {
      await reply
        .code(503)
        .header('retry-after', '5')
        .send(errorBody('UNAVAILABLE', 'too many live streams on this server, retry shortly'));
      return true;
    }
    if ((this.perAddress.get(reply.request.ip) ?? 0) >= this.config.LIVE_MAX_CLIENTS_PER_ADDRESS) {
      await reply
        .code(429)
        .header('retry-after', '30')
        .send(errorBody('RATE_LIMITED', 'too many live streams from this address; close one first'));
      return true;
    }
    return false;
  }

  /** Takes the response over from Fastify and starts the event stream on it. */
  open(reply: FastifyReply): SseStream {
    const address = reply.request.ip;
    reply.hijack();
    const response = reply.raw;
    // The security headers and the request id, set by the hooks before the hijack.
    const earlier: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) earlier[name] = value;
    response.writeHead(200, {
      ...earlier,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tells a buffering proxy (nginx) to pass events through as they come.
      'x-accel-buffering': 'no',
    });
    response.socket?.setNoDelay(true);
    const stream = new SseStream(response);
    stream.comment('connected');
    response.write(`retry: ${RETRY_MS}\n\n`);
    this.streams.add(stream);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    stream.onClose(() => {
      this.streams.delete(stream);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
      if (this.streams.size === 0) this.stopHeartbeat();
    });
    this.heartbeat ??= setInterval(() => {
      for (const s of this.streams) s.comment('heartbeat');
    }, HEARTBEAT_MS);
    return stream;
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const stream of [...this.streams]) stream.close();
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

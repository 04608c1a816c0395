import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

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
 * Every live stream of this process (seat maps and the ops view): the cap on their number, one heartbeat
 * timer for all of them, and their end at shutdown — an open stream would otherwise keep the HTTP server
 * from closing until the shutdown deadline.
 */
@Injectable()
export class SseClients implements BeforeApplicationShutdown {
  private readonly streams = new Set<SseStream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** No room for another stream (LIVE_MAX_CLIENTS), or the process is shutting down. */
  get full(): boolean {
    return this.closing || this.streams.size >= this.config.LIVE_MAX_CLIENTS;
  }

  get count(): number {
    return this.streams.size;
  }

  /** Takes the response over from Fastify and starts the event stream on it. */
  open(reply: FastifyReply): SseStream {
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
    stream.onClose(() => {
      this.streams.delete(stream);
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

/** One server-sent event as received. */
export interface ServerSentEvent {
  event: string;
  data: any;
}

/**
 * A server-sent-event client for tests: reads the stream with fetch, keeps every event, and waits for the
 * first one (from the start of the stream) that matches.
 */
export class SseReader {
  readonly events: ServerSentEvent[] = [];
  /** The JSON body of an answer that is not a stream (an error). */
  body: any;
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  /** Opens the stream; a response that is not 200 is kept as is (not read). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const reader = new SseReader(response, abort);
    if (response.status === 200) void reader.read();
    else reader.body = JSON.parse(await response.text());
    return reader;
  }

  get status(): number {
    return this.response.status;
  }

  /** The first event named `event` whose data satisfies `match`, waiting up to `timeoutMs` for it. */
  async next(event: string, match: (data: any) => boolean = () => true, timeoutMs = 15_000): Promise<any> {
    const find = () => this.events.find((e) => e.event === event && match(e.data));
    await this.until(() => find() !== undefined, `a matching "${event}" event`, timeoutMs);
    return find()!.data;
  }

  /** Waits until `condition` holds, checking it again on every event received. */
  async until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ended) throw new Error(`stream ended without ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${what} within ${timeoutMs} ms; got: ${JSON.stringify(this.events).slice(0, 2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True once the stream has ended, whichever side ended it. */
  get closed(): boolean {
    return this.ended;
  }

  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.parse(block);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    this.events.push({ event, data: JSON.parse(data.join('\n')) });
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

import { connect, type Socket } from 'node:net';
import { ApiServer } from '../support/api-server';
import { SseReader } from '../support/sse-reader';
import { testConfig } from '../support/test-config';
import { sleep } from '../support/time';

/** Longest a test waits for the server to act; the configured timeouts below are far shorter. */
const SAFETY_MS = 15_000;

const portOf = (api: ApiServer): number => Number(new URL(api.baseUrl).port);

/**
 * Sends a purchase's headers at once and then its body one byte every `everyMs`, until the server closes the
 * connection or the body is complete. `sent` < `total`: the server cut the client off mid-body.
 */
function trickleBody(port: number, everyMs: number): Promise<{ sent: number; total: number; received: string }> {
  const body = JSON.stringify({ venueId: 'Venue1', eventId: 'Event1', zoneId: 1, row: 'A', column: 1 });
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let sent = 0;
    let received = '';
    const safety = setTimeout(() => {
      socket.destroy();
      reject(new Error(`not closed within ${SAFETY_MS} ms; sent ${sent}/${body.length}, received: ${received}`));
    }, SAFETY_MS);
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(safety);
      resolve({ sent, total: body.length, received });
    });
    socket.write(
      'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    const timer = setInterval(() => {
      if (sent < body.length && socket.writable) socket.write(body[sent++]!);
    }, everyMs);
  });
}

/** Resolves once the server closes `socket`; rejects if it is still open after SAFETY_MS. */
function closedByServer(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(received);
    const safety = setTimeout(() => reject(new Error(`still open after ${SAFETY_MS} ms`)), SAFETY_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(safety);
      resolve(received);
    });
  });
}

/** Opens a keep-alive connection and gets one answer on it, so the server has certainly taken it. */
function servedConnection(port: number): Promise<{ socket: Socket; answer: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', () => undefined);
    const done = () => resolve({ socket, answer });
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

describe('slow and greedy clients', () => {
  let api: ApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('cuts off a client that trickles its body past HTTP_REQUEST_TIMEOUT_MS, answering 408 if anything', async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false', HTTP_REQUEST_TIMEOUT_MS: '500' }));
    // 80-odd bytes at one per 100 ms would take 8 s to arrive.
    const { sent, total, received } = await trickleBody(portOf(api), 100);
    expect(sent).toBeLessThan(total);
    if (received !== '') expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that never sends a request', async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', HTTP_REQUEST_TIMEOUT_MS: '500', HTTP_CONNECTION_TIMEOUT_MS: '500' }),
    );
    const socket = connect(portOf(api), '127.0.0.1');
    try {
      const received = await closedByServer(socket);
      if (received !== '') expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      socket.destroy();
    }
  });

  it('holds at most HTTP_MAX_CONNECTIONS connections, over every accept socket', async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', HTTP_MAX_CONNECTIONS: '4', HTTP_ACCEPT_SOCKETS: '8' }),
    );
    const port = portOf(api);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const { socket, answer } = await servedConnection(port);
        held.push(socket);
        expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      }
      // Over the cap: closed unanswered, whichever of the port's sockets the kernel handed it to.
      for (let i = 0; i < 6; i++) {
        const { socket, answer } = await servedConnection(port);
        expect(answer).toBe('');
        expect(socket.destroyed || socket.readyState === 'closed').toBe(true);
      }
      // A freed slot is taken again (the server notices the close asynchronously).
      held.shift()!.destroy();
      let again = await servedConnection(port);
      for (let tries = 0; again.answer === '' && tries < 50; tries++) {
        await sleep(100);
        again = await servedConnection(port);
      }
      held.push(again.socket);
      expect(again.answer).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('caps the live streams of one client address (LIVE_MAX_CLIENTS_PER_ADDRESS), not of the others', async () => {
    api = await ApiServer.start(
      testConfig({ OUTBOX_RELAY_ENABLED: 'false', LIVE_MAX_CLIENTS_PER_ADDRESS: '2', TRUST_PROXY: 'loopback' }),
    );
    const url = `${api.baseUrl}/api/v1/ops/stream`;
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const streams: SseReader[] = [];
    try {
      for (let i = 0; i < 2; i++) streams.push(await SseReader.open(url, from('198.51.100.7')));
      const refused = await SseReader.open(url, from('198.51.100.7'));
      streams.push(refused);
      streams.push(await SseReader.open(url, from('198.51.100.8')));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 429, 200]);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('RATE_LIMITED');
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

describe('operator endpoints behind OPS_TOKEN', () => {
  const OPS_TOKEN = 'test-ops-token-0123456789';
  let api: ApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const statusOf = async (path: string, headers: Record<string, string> = {}): Promise<number> => {
    const stream = await SseReader.open(`${api!.baseUrl}${path}`, headers);
    stream.close();
    return stream.status;
  };
  const PATHS = ['/metrics', '/api/v1/ops/dashboard', '/api/v1/ops/stream'];

  it('requires the bearer token on /metrics and the ops endpoints when OPS_TOKEN is set', async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false', OPS_TOKEN }));
    for (const path of PATHS) {
      expect({ path, status: await statusOf(path) }).toEqual({ path, status: 401 });
      const wrong = { authorization: 'Bearer not-the-ops-token-at-all' };
      expect({ path, status: await statusOf(path, wrong) }).toEqual({ path, status: 401 });
      const right = { authorization: `Bearer ${OPS_TOKEN}` };
      expect({ path, status: await statusOf(path, right) }).toEqual({ path, status: 200 });
    }
    const refused = await api.request('GET', '/metrics');
    expect(refused.body.error).toBe('UNAUTHORIZED');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    // Buyers' pages and streams stay open.
    expect((await api.request('GET', '/api/v1/events')).status).toBe(200);
  });

  it('leaves them open when OPS_TOKEN is unset', async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false' }));
    for (const path of PATHS) expect({ path, status: await statusOf(path) }).toEqual({ path, status: 200 });
  });
});

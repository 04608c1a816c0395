import { connect } from 'node:net';
import { ApiServer } from '../support/api-server';
import { testConfig } from '../support/test-config';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** True when the server closed the connection after answering. */
  closed: boolean;
}

/** Writes bytes no HTTP client would send, and reads what comes back until the server closes the socket. */
function sendRaw(port: number, bytes: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; received: ${received.slice(0, 300)}`));
    }, 10_000);
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    // The server may close while the request is still being written (oversized headers): that is its answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      const text = rest.join('\r\n\r\n');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text so the assertion shows it
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, closed: true });
    });
    socket.write(bytes);
  });
}

describe('malformed HTTP refused by the parser, answered in the API error shape', () => {
  let api: ApiServer;
  let port: number;

  beforeAll(async () => {
    api = await ApiServer.start(testConfig({ OUTBOX_RELAY_ENABLED: 'false' }));
    port = Number(new URL(api.baseUrl).port);
  });
  afterAll(async () => {
    await api.close();
  });

  const badRequest = { error: 'BAD_REQUEST', message: expect.any(String) };

  it.each([
    ['a request line that is not HTTP', 'GARBAGE /\r\n\r\n'],
    ['an invalid HTTP version', 'GET /api/v1/venues HTTP/9.Z\r\nHost: x\r\n\r\n'],
    ['a header name with a space', 'GET /api/v1/venues HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'],
    [
      'a Content-Length that is not a number',
      'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    ],
    [
      'both Content-Length and Transfer-Encoding',
      'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('answers %s with 400 BAD_REQUEST as JSON and closes the connection', async (_label, bytes) => {
    const response = await sendRaw(port, bytes);
    expect(response).toMatchObject({ status: 400, body: badRequest, closed: true });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['connection']).toBe('close');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
  });

  it('answers headers over the size limit with 431 HEADERS_TOO_LARGE as JSON', async () => {
    // Node's limit is 16 KiB of headers by default.
    const response = await sendRaw(
      port,
      `GET /api/v1/venues HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(response).toMatchObject({
      status: 431,
      body: { error: 'HEADERS_TOO_LARGE', message: expect.any(String) },
      closed: true,
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps serving well-formed requests on other connections', async () => {
    await sendRaw(port, 'GARBAGE /\r\n\r\n');
    expect((await api.request('GET', '/api/v1/venues')).status).toBe(200);
  });
});

import { nextRequestId } from './response-headers';
import type { Socket } from 'node:net';
import { errorBody, type ErrorBody } from './error-body';

/** Node's parser refusals that have a status of their own; every other one is a malformed request (400). */
const REFUSALS: Record<string, { status: number; reason: string; body: ErrorBody }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    body: errorBody('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts'),
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    body: errorBody('REQUEST_TIMEOUT', 'the request was not received in time'),
  },
};

const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  body: errorBody('BAD_REQUEST', 'the request is not well-formed HTTP'),
};

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before any route, hook or filter runs
 * (a bad request line, an invalid header, a bad Content-Length, headers over the size limit) get the API's
 * error shape too, instead of fastify's own body. The connection is closed afterwards: after a parse error
 * the rest of the stream cannot be trusted to start a request.
 */
export function replyToClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this connection (keep-alive) cannot be followed by another one.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || current?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { status, reason, body } = REFUSALS[error.code ?? ''] ?? MALFORMED;
  const json = JSON.stringify(body);
  // end(), then destroy once written: the answer is flushed, and a client still sending is not waited for.
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      `X-Request-Id: ${nextRequestId()}\r\n` +
      'Connection: close\r\n\r\n' +
      json,
    () => socket.destroy(),
  );
}

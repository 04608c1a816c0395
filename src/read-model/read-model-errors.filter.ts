import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import { ConnectionException } from '@mikro-orm/core';
import type { FastifyReply } from 'fastify';
import { errorBody } from '../platform/http/error-body';
import { replyWithError } from '../platform/http/http-errors.filter';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
]);

/** MySQL unreachable, refusing connections, or without the database (migrations not run): retry later. */
export function isReadModelUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e instanceof ConnectionException) return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * The read endpoints' errors: the shared shape from toErrorResponse, plus 503 when the read model's database
 * cannot be reached (the global filter only knows Redis). Bound with @UseFilters on the query controllers.
 */
@Catch()
export class ReadModelErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReadModel');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (isReadModelUnavailable(error)) {
      this.logger.warn(`read model unavailable: ${(error as Error).message}`);
      void reply
        .code(503)
        .header('retry-after', '1')
        .send(errorBody('UNAVAILABLE', 'the read model is unreachable, retry shortly'));
      return;
    }
    replyWithError(reply, error, this.logger);
  }
}

import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRedisUnavailable } from '../redis/redis-errors';
import { errorBody, type ErrorBody } from './error-body';

const invalidBody = (message: string): ErrorBody => ({
  error: 'VALIDATION_FAILED',
  issues: [{ path: '(body)', message }],
});

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/**
 * Every error that leaves the API goes through here: the same JSON shape, never a stack trace.
 * Infrastructure that cannot be reached, or that refuses a command it did not run (isRedisUnavailable), is a
 * 503 (retry later); anything unexpected is a logged 500.
 */
export function toErrorResponse(
  error: unknown,
  logger: Logger,
  requestId?: string,
): { status: number; body: ErrorBody } {
  const status =
    error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // A 400 here is a body that could not be parsed (malformed JSON): a validation failure of the body.
    if (status === 400) return { status, body: invalidBody((error as Error).message) };
    return { status, body: errorBody(CODES[status] ?? 'BAD_REQUEST', (error as Error).message) };
  }
  if (isRedisUnavailable(error)) {
    return { status: 503, body: errorBody('UNAVAILABLE', 'the seat inventory is unavailable, retry shortly') };
  }
  // The one place an unexpected error is logged, with the request id the client got in X-Request-Id.
  logger.error({
    msg: error instanceof Error ? error.message : String(error),
    requestId,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return { status: 500, body: errorBody('INTERNAL', 'an unexpected error occurred') };
}

/** Answers an error in the API's shape: for the Nest routes through the filter below, and for the purchase route. */
export function replyWithError(reply: FastifyReply, error: unknown, logger: Logger, requestId?: string): void {
  const { status, body } = toErrorResponse(error, logger, requestId);
  if (status === 503) void reply.header('retry-after', '1');
  void reply.code(status).send(body);
}

@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    replyWithError(reply, error, this.logger, request?.id);
  }
}

const ROUTER_REFUSALS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
};

/**
 * Fastify's `frameworkErrors`: the router refuses a malformed percent-escape or an over-long path parameter
 * before any hook, route or Nest filter runs, with a body of its own (and a 414 for the latter). Both are bad
 * parameters, so they get the answer every bad parameter gets: 400 VALIDATION_FAILED. Found by the fuzz test.
 */
export function replyToRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = ROUTER_REFUSALS[error.code];
  if (refusal !== undefined) {
    void reply.code(400).send({ error: 'VALIDATION_FAILED', issues: [{ path: '(url)', message: refusal }] });
    return;
  }
  const { status, body } = toErrorResponse(error, new Logger('HttpErrors'), request.id);
  void reply.code(status).send(body);
}

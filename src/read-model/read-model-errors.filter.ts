import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorBody } from '../platform/http/error-body';
import { replyWithError } from '../platform/http/http-errors.filter';
import { isReadModelUnavailable } from './read-model-errors';

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

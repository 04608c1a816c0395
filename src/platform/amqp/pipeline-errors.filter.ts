import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter replaces any error with `{status: 'error', message: 'Internal server error'}`;
 * the pipeline server needs the original to log it and to label its retries with the error's code or name.
 * Register it before connecting the pipelines.
 */
@Catch()
export class PipelineErrorsFilter implements RpcExceptionFilter {
  catch(error: unknown): Observable<never> {
    return throwError(() => error);
  }
}

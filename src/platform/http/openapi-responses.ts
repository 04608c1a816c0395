import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type { ErrorBody } from './error-body';

/*
 * The pieces every route's OpenAPI fragment shares: JSON content, the error body every error answers with
 * (see HttpErrorsFilter), and the Retry-After header of the refusals a client should retry.
 */

/** The error body as documented; a z.ZodType of ErrorBody, so a changed interface stops the build until it follows. */
export const errorBodySchema: z.ZodType<ErrorBody> = z
  .object({
    error: z.string().meta({ description: 'A stable code: SEAT_TAKEN, NOT_FOUND, VALIDATION_FAILED, …' }),
    message: z.string().optional(),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'VALIDATION_FAILED only: one entry per rejected field' }),
  })
  .meta({ id: 'Error' });

export const jsonContent = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

export const retryAfterHeaders = z.object({
  'retry-after': z.string().meta({ description: 'Seconds to wait before retrying' }),
});

export const errorResponse = (description: string, headers?: typeof retryAfterHeaders): ZodOpenApiResponseObject => ({
  description,
  ...jsonContent(errorBodySchema),
  ...(headers && { headers }),
});

export const okResponse = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({
  description,
  ...jsonContent(schema),
});

export const badRequestResponse = errorResponse(
  'VALIDATION_FAILED: a parameter or the body breaks its schema (`issues` says which)',
);

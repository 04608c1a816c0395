import type { z } from 'zod';

export interface ErrorBody {
  error: string;
  message?: string;
  issues?: { path: string; message: string }[];
}

export const errorBody = (error: string, message: string): ErrorBody => ({ error, message });

export function validationFailed(error: z.ZodError, prefix?: string): ErrorBody {
  return {
    error: 'VALIDATION_FAILED',
    issues: error.issues.map((issue) => ({
      path: [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || '(body)',
      message: issue.message,
    })),
  };
}

import type { z } from 'zod';
import type { PipelineItemResult } from './pipeline-item-result';

/**
 * Splits a batch into the items that match the schema and a per-item result list in which the others are
 * already refused (they go to the dead-letter queue and are never stored).
 */
export function validateItems<T>(
  items: readonly unknown[],
  schema: z.ZodType<T>,
): { valid: T[]; results: PipelineItemResult[] } {
  const valid: T[] = [];
  const results: PipelineItemResult[] = items.map((item) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      valid.push(parsed.data);
      return { ok: true };
    }
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `MALFORMED_ITEM: ${issue.path.join('.') || '(item)'}: ${issue.message}` };
  });
  return { valid, results };
}

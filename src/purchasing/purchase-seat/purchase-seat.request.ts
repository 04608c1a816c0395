import { z } from 'zod';
import { identifier } from '../../catalog/catalog.schema';

export const purchaseSeatRequest = z.strictObject({
  venueId: identifier,
  eventId: identifier,
  zoneId: z.number().int().min(1).max(100_000),
  row: z.string().regex(/^[A-Z]$/, 'must be one letter A-Z'),
  column: z.number().int().min(1).max(100_000),
});

export type PurchaseSeatRequest = z.infer<typeof purchaseSeatRequest>;

/** Keys are embedded in Redis key names (inside a hash tag), so braces and spaces are refused. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of letters, digits, "_", ".", ":" or "-"');

import { z } from 'zod';
import { identifier } from '../catalog/catalog.schema';

/** Path and query parameters arrive as strings: integers are digits only (no sign, exponent, blank or "1.0"). */
const positiveIntString = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${max}`));

export const zoneIdParam = positiveIntString(100_000);
export const eventIdParam = identifier;
/** Ticket ids are UUIDs today; the read model accepts any identifier the write side may issue. */
export const ticketIdParam = identifier;

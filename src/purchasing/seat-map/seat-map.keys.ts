/**
 * Redis key layout of the seat maps.
 *
 * Every key one reservation touches (the zone's counters and bitmap, the outbox stream it appends to,
 * the idempotency record) carries the same hash tag, so a reservation is one script call on one slot of
 * a Redis Cluster. The tag is a partition number derived from (event, zone) rather than the zone itself:
 * it keeps the number of outbox streams fixed (the relay reads a known set) while still spreading zones
 * over the cluster's shards.
 */
export const SEAT_PARTITIONS = 64;

/** FNV-1a, 32 bit: stable across processes and languages, cheap for short strings. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function partitionOf(eventId: string, zoneId: number): number {
  return fnv1a(`${eventId}|${zoneId}`) % SEAT_PARTITIONS;
}

const tag = (partition: number): string => `{p${partition}}`;

export interface ZoneKeys {
  partition: number;
  /** Hash: `zone` seats left in the zone, `r:<row>` seats left per row, `rows`, `cols`. */
  counts: string;
  /** Bitmap: bit (rowIndex * cols + column - 1) is set when the seat is taken. */
  seats: string;
  outbox: string;
}

export function zoneKeys(eventId: string, zoneId: number): ZoneKeys {
  const partition = partitionOf(eventId, zoneId);
  const t = tag(partition);
  return {
    partition,
    counts: `counts:${t}:${eventId}:${zoneId}`,
    seats: `seats:${t}:${eventId}:${zoneId}`,
    outbox: outboxKey(partition),
  };
}

export function outboxKey(partition: number): string {
  return `outbox:${tag(partition)}`;
}

export const allOutboxKeys = (): string[] => Array.from({ length: SEAT_PARTITIONS }, (_, p) => outboxKey(p));

/** The idempotency record lives in the zone's slot so the reservation writes it atomically. */
export function idempotencyRecordKey(partition: number, key: string): string {
  return `idem:${tag(partition)}:${key}`;
}

/**
 * Which request a key was first used with, hash-tagged by the key itself: a reuse of the key for another
 * seat (possibly in another zone, another slot) is caught before any reservation runs.
 */
export function idempotencyFingerprintKey(key: string): string {
  return `idemfp:{${key}}`;
}

export const rowField = (row: string): string => `r:${row}`;
export const rowLetter = (rowIndex: number): string => String.fromCharCode(65 + rowIndex);

/**
 * A new ticket, readable by id until the read model has it (read-your-writes). Written by the reservation
 * script in the zone's slot; the partition travels in the ticket id (see ticket-id.ts) so a lookup by id
 * alone finds the slot.
 */
export function ticketCacheKey(partition: number, ticketId: string): string {
  return `ticket:${tag(partition)}:${ticketId}`;
}

/**
 * A refunded ticket's record, the TicketRefunded JSON, in the ticket's zone slot: the refund script writes
 * it with SET NX (two refunds of one ticket refund once), and the write store reads it when a new sale of the
 * seat overtakes the refund on its way (see RefundLedger). Kept without expiry: a refund of the same ticket
 * after a resale must still be refused, or it would free the new owner's seat.
 */
export function refundRecordKey(partition: number, ticketId: string): string {
  return `refund:${tag(partition)}:${ticketId}`;
}

/**
 * An outbox entry is one field, `<type> <payload>`: `e` for a TicketReserved (the reservation script's, kept
 * one letter on the hot path), `refunded` for a TicketRefunded. The relay publishes each under its type.
 */
export const OUTBOX_RESERVATION_FIELD = 'e';
export const OUTBOX_REFUND_FIELD = 'refunded';

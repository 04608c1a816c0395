import { randomUUID } from 'node:crypto';
import { partitionOf, SEAT_PARTITIONS } from './seat-map/seat-map.keys';

const PARTITION_HEX = Array.from({ length: SEAT_PARTITIONS }, (_, p) => p.toString(16).padStart(2, '0'));

/**
 * A new ticket's id: a UUID of version 8 (RFC 9562's vendor-specific layout) whose first byte is the seat
 * partition of the ticket's zone, the other 114 bits random as in a version 4. A lookup by id alone thus
 * knows the Redis slot that holds the new ticket (its cache entry, see reserve-seat.lua), and the id stays
 * as unguessable as before.
 */
export function newTicketId(eventId: string, zoneId: number): string {
  const random = randomUUID();
  return `${PARTITION_HEX[partitionOf(eventId, zoneId)]}${random.slice(2, 14)}8${random.slice(15)}`;
}

/** The partition a ticket id carries; undefined for ids not made by newTicketId (older or foreign ones). */
export function partitionOfTicketId(ticketId: string): number | undefined {
  if (ticketId.length !== 36 || ticketId[14] !== '8' || ticketId[8] !== '-') return undefined;
  const partition = Number.parseInt(ticketId.slice(0, 2), 16);
  return partition < SEAT_PARTITIONS ? partition : undefined;
}

import { newTicketId, partitionOfTicketId } from '../ticket-id';
import { SEAT_PARTITIONS, zoneKeys, type ZoneKeys } from './seat-map.keys';

/**
 * Redis keys of seat holds. A hold lives in its zone's slot (the `{pN}` tag of seat-map.keys.ts), so
 * hold-seats.lua takes the seats and writes the hold in one script call, and release-hold.lua gives them
 * back the same way.
 *
 * | key | type | content |
 * | `hold:{pN}:<holdId>` | hash | `buyer`, `eventId`, `zoneId`, `seats` ("A3,A4"), `expiresAt` (ms, Redis clock), `status` (`held`) |
 * | `holds:{pN}` | sorted set | holdId scored by expiresAt: the partition's expiry index, read by a sweeper |
 *
 * The record has no TTL while it is held: it is the only place that says which seats the hold took, so a
 * record that expired before the sweeper released it would leave its seats taken by nobody, for good.
 * The sweeper reads `holds:{pN}` up to now and calls release-hold.lua per hold; release deletes both.
 */
export interface HoldKeys extends ZoneKeys {
  record: string;
  expiryIndex: string;
}

const tag = (partition: number): string => `{p${partition}}`;

export function holdRecordKey(partition: number, holdId: string): string {
  return `hold:${tag(partition)}:${holdId}`;
}

export function holdExpiryKey(partition: number): string {
  return `holds:${tag(partition)}`;
}

export const allHoldExpiryKeys = (): string[] => Array.from({ length: SEAT_PARTITIONS }, (_, p) => holdExpiryKey(p));

export function holdKeys(eventId: string, zoneId: number, holdId: string): HoldKeys {
  const zone = zoneKeys(eventId, zoneId);
  return { ...zone, record: holdRecordKey(zone.partition, holdId), expiryIndex: holdExpiryKey(zone.partition) };
}

/**
 * A new hold's id: the ticket id layout (a version 8 UUID whose first byte is the zone's partition), so a
 * request naming only the hold (release, confirm) finds its slot.
 */
export const newHoldId = (eventId: string, zoneId: number): string => newTicketId(eventId, zoneId);

export const partitionOfHoldId = (holdId: string): number | undefined => partitionOfTicketId(holdId);

import type { Zone } from '../../catalog/catalog.schema';
import type { SeatRef } from '../seat';

export const SEAT_MAP = Symbol('SEAT_MAP');

export type ReservationResult =
  | { readonly code: 'RESERVED' }
  | { readonly code: 'REPLAYED'; readonly payload: string }
  | { readonly code: 'SEAT_TAKEN' | 'ROW_SOLD_OUT' | 'ZONE_SOLD_OUT' | 'NOT_OPEN' };

export interface ReserveRequest {
  seat: SeatRef;
  /** Made by newTicketId for this seat's zone: the ticket's cache entry is written in the zone's slot. */
  ticketId: string;
  /** The serialized TicketReserved record appended to the outbox when the seat is taken. */
  payload: string;
  idempotencyKey?: string;
}

export interface ZoneCounters {
  zoneLeft: number;
  rowsLeft: Record<string, number>;
}

export interface ZoneSnapshot extends ZoneCounters {
  /** Taken seats as [row letter, column]. */
  taken: [string, number][];
}

export interface ZoneRebuild {
  /** False when the zone had a seat map already: it was left as it was. */
  rebuilt: boolean;
  /** Seats taken in the zone's map after the call. */
  taken: number;
}

/** The seat inventory: the atomic reservation and what surrounds it. */
export interface SeatMap {
  reserve(request: ReserveRequest): Promise<ReservationResult>;
  openZone(eventId: string, zone: Zone): Promise<boolean>;
  isOpen(eventId: string, zoneId: number): Promise<boolean>;
  counters(eventId: string, zoneId: number): Promise<ZoneCounters | null>;
  /** The zone's bitmap and counters as they are; null when the zone has no seat map. */
  snapshotZone(eventId: string, zone: Zone): Promise<ZoneSnapshot | null>;
  /**
   * Creates a MISSING zone's seat map with exactly the given seats taken; a zone that has a map is left as it
   * is (a reservation may have taken a seat the caller does not know of).
   */
  rebuildZone(eventId: string, zone: Zone, taken: readonly { row: string; column: number }[]): Promise<ZoneRebuild>;
  /**
   * Records which request an idempotency key belongs to, for `ttlSeconds`; returns the fingerprint stored
   * before, if any (then nothing is written).
   */
  claimIdempotencyKey(key: string, fingerprint: string, ttlSeconds: number): Promise<string | null>;
  /** Keeps a claimed key's record for `ttlSeconds` from now: its purchase took the seat. */
  keepIdempotencyKey(key: string, ttlSeconds: number): Promise<void>;
}

import type { Zone } from '../catalog/catalog.schema';
import type { LiveZone } from './live-messages';

interface ZoneBits {
  readonly zone: Zone;
  readonly bits: Uint8Array;
  sold: number;
}

/**
 * The taken seats of one event, one bitmap per zone in the Redis seat map's layout (a 26 × 30 zone is 98
 * bytes, so a 78,000-seat event is ~10 KB). Adding a seat twice is a no-op: the live feed delivers a relayed
 * batch again after a relay crash, and the read model's seats overlap the feed's.
 */
export class EventSeats {
  private readonly zones = new Map<number, ZoneBits>();
  /** The read model's seats have been merged in. */
  seeded = false;

  constructor(
    readonly eventId: string,
    readonly venueId: string,
    zones: readonly Zone[],
  ) {
    for (const zone of zones) {
      this.zones.set(zone.zoneId, {
        zone,
        bits: new Uint8Array(Math.ceil((zone.rowCount * zone.colCount) / 8)),
        sold: 0,
      });
    }
  }

  /** True when the seat was not known taken; false for a known seat or one outside the venue's grid. */
  add(zoneId: number, row: string, column: number): boolean {
    const zone = this.zones.get(zoneId);
    if (zone === undefined) return false;
    const rowIndex = row.charCodeAt(0) - 65;
    const { rowCount, colCount } = zone.zone;
    if (row.length !== 1 || rowIndex < 0 || rowIndex >= rowCount) return false;
    if (!Number.isInteger(column) || column < 1 || column > colCount) return false;
    const bit = rowIndex * colCount + column - 1;
    const mask = 0x80 >> (bit & 7);
    const byte = bit >> 3;
    if ((zone.bits[byte]! & mask) !== 0) return false;
    zone.bits[byte]! |= mask;
    zone.sold++;
    return true;
  }

  /** True when the seat was known taken: it is free now (a refund). */
  remove(zoneId: number, row: string, column: number): boolean {
    const zone = this.zones.get(zoneId);
    if (zone === undefined || !this.has(zoneId, row, column)) return false;
    const bit = (row.charCodeAt(0) - 65) * zone.zone.colCount + column - 1;
    zone.bits[bit >> 3]! &= ~(0x80 >> (bit & 7));
    zone.sold--;
    return true;
  }

  has(zoneId: number, row: string, column: number): boolean {
    const zone = this.zones.get(zoneId);
    if (zone === undefined) return false;
    const bit = (row.charCodeAt(0) - 65) * zone.zone.colCount + column - 1;
    return (zone.bits[bit >> 3]! & (0x80 >> (bit & 7))) !== 0;
  }

  snapshot(): LiveZone[] {
    return [...this.zones.values()].map(({ zone, bits, sold }) => ({
      zoneId: zone.zoneId,
      price: zone.ticketPrice,
      rows: zone.rowCount,
      columns: zone.colCount,
      sold,
      taken: Buffer.from(bits).toString('base64'),
    }));
  }
}

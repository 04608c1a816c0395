import type { Catalog, SaleEvent, Zone } from './catalog.schema';

/**
 * What the catalog needs from the capabilities above it, declared here so the catalog imports none of them:
 * CatalogModule binds each to the implementation the process module names (purchasing's seat map and rebuild
 * requests, the read model's event history and records).
 */

/** The seat inventory, for opening a new sale's zones and telling whether a zone exists. */
export interface SeatInventory {
  /** Opens an empty zone; a zone that exists is left as it is. Returns true when opened now. */
  openZone(eventId: string, zone: Zone): Promise<boolean>;
  isOpen(eventId: string, zoneId: number): Promise<boolean>;
}
export const SEAT_INVENTORY = Symbol('SEAT_INVENTORY');

/** Tells a worker that Redis lost seat maps of an event, to be rebuilt from the event store. Never throws. */
export interface SeatMapLossReporter {
  request(eventId: string): void;
}
export const SEAT_MAP_LOSS = Symbol('SEAT_MAP_LOSS');

/**
 * The events the read model remembers: it outlives Redis, so an event it knows was opened before. `find`
 * answers undefined when it does not know the event or cannot answer.
 */
export interface EventHistory {
  find(eventId: string): Promise<Pick<SaleEvent, 'eventId' | 'venueId'> | undefined>;
  record(event: SaleEvent): Promise<void>;
}
export const EVENT_HISTORY = Symbol('EVENT_HISTORY');

/** Where the worker records the catalog file's venues, zones and events at start-up: the read model. */
export interface CatalogRecords {
  /** Creates or updates every venue, zone and event of the file; harmless to repeat. */
  seedCatalog(catalog: Catalog): Promise<void>;
}
export const CATALOG_RECORDS = Symbol('CATALOG_RECORDS');

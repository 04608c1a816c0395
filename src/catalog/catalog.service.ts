import { Inject, Injectable, Optional } from '@nestjs/common';
import { ReadModelEvents } from '../read-model/read-model-events';
import { SEAT_MAP, type SeatMap } from '../purchasing/seat-map/seat-map.port';
import type { Catalog, SaleEvent, Venue, Zone } from './catalog.schema';
import { EventRepository } from './event.repository';

export const CATALOG = Symbol('CATALOG');

export type OpenSaleOutcome = 'CREATED' | 'EXISTS' | 'UNKNOWN_VENUE';

/**
 * Venues come from the catalog file and never change while the process runs; events are created at run
 * time (admin) and cached here once seen, because an event's venue never changes.
 */
@Injectable()
export class CatalogService {
  private readonly venues: Map<string, Venue>;
  private readonly zones = new Map<string, Map<number, Zone>>();
  private readonly events = new Map<string, SaleEvent>();

  constructor(
    @Inject(CATALOG) catalog: Catalog,
    private readonly repository: EventRepository,
    @Inject(SEAT_MAP) private readonly seatMap: SeatMap,
    @Optional() private readonly readModelEvents?: ReadModelEvents,
  ) {
    this.venues = new Map(catalog.venues.map((v) => [v.venueId, v]));
    for (const venue of catalog.venues) this.zones.set(venue.venueId, new Map(venue.zones.map((z) => [z.zoneId, z])));
  }

  listVenues(): Venue[] {
    return [...this.venues.values()];
  }

  findVenue(venueId: string): Venue | undefined {
    return this.venues.get(venueId);
  }

  findZone(venueId: string, zoneId: number): Zone | undefined {
    return this.zones.get(venueId)?.get(zoneId);
  }

  /** Every event opened for sale, soonest first. */
  async listEvents(): Promise<SaleEvent[]> {
    const events = await this.repository.list();
    return events.sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.eventId.localeCompare(b.eventId));
  }

  async findEvent(eventId: string): Promise<SaleEvent | undefined> {
    const cached = this.events.get(eventId);
    if (cached !== undefined) return cached;
    const event = await this.repository.find(eventId);
    if (event !== undefined) this.events.set(eventId, event);
    return event;
  }

  /**
   * The event a purchase is for. Redis may have lost the record along with the seat maps; the read model
   * still knows the event then, so the purchase is told to retry (503) rather than that no such event
   * exists. Not cached: the Redis record comes back with `rebuild:seats`.
   */
  async findEventForSale(eventId: string): Promise<Pick<SaleEvent, 'eventId' | 'venueId'> | undefined> {
    return (await this.findEvent(eventId)) ?? this.readModelEvents?.find(eventId);
  }

  /**
   * Creates an event and opens every zone's seat map. Opening is idempotent, and it runs again when the
   * event exists already with the same venue, so a creation cut short half-way is completed by a retry.
   */
  async openSale(event: SaleEvent): Promise<OpenSaleOutcome> {
    const venue = this.venues.get(event.venueId);
    if (venue === undefined) return 'UNKNOWN_VENUE';
    const created = await this.repository.create(event);
    const stored = created ? event : await this.repository.find(event.eventId);
    if (stored !== undefined && stored.venueId === venue.venueId) {
      await Promise.all(venue.zones.map((zone) => this.seatMap.openZone(event.eventId, zone)));
    }
    return created ? 'CREATED' : 'EXISTS';
  }
}

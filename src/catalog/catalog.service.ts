import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_HISTORY, SEAT_MAP_LOSS, type EventHistory, type SeatMapLossReporter } from './catalog.ports';
import type { Catalog, SaleEvent, Venue, Zone } from './catalog.schema';
import { EventRepository } from './event.repository';

export const CATALOG = Symbol('CATALOG');

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
    @Inject(SEAT_MAP_LOSS) private readonly seatMapLoss: SeatMapLossReporter,
    @Optional() @Inject(EVENT_HISTORY) private readonly history?: EventHistory,
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

  /** The event when this process has it cached already: the purchase path's way around two awaits. */
  cachedEvent(eventId: string): SaleEvent | undefined {
    return this.events.get(eventId);
  }

  /**
   * The event a purchase is for. Redis may have lost the record along with the seat maps; the read model
   * still knows the event then, so the purchase goes on (and is told to retry, 503, while a zone is missing)
   * rather than being told that no such event exists. Not cached: the worker restores the Redis record,
   * and is asked to here.
   */
  async findEventForSale(eventId: string): Promise<Pick<SaleEvent, 'eventId' | 'venueId'> | undefined> {
    const event = await this.findEvent(eventId);
    if (event !== undefined) return event;
    const known = await this.history?.find(eventId);
    if (known !== undefined) this.seatMapLoss.request(eventId);
    return known;
  }
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SeatRebuildRequests } from '../consistency/seat-rebuild/seat-rebuild.requests';
import { ReadModelEvents } from '../read-model/read-model-events';
import { TicketProjection } from '../read-model/ticket.projection';
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
  private readonly logger = new Logger(CatalogService.name);
  private readonly venues: Map<string, Venue>;
  private readonly zones = new Map<string, Map<number, Zone>>();
  private readonly events = new Map<string, SaleEvent>();

  constructor(
    @Inject(CATALOG) catalog: Catalog,
    private readonly repository: EventRepository,
    @Inject(SEAT_MAP) private readonly seatMap: SeatMap,
    private readonly rebuildRequests: SeatRebuildRequests,
    @Optional() private readonly readModelEvents?: ReadModelEvents,
    @Optional() private readonly projection?: TicketProjection,
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
   * still knows the event then, so the purchase goes on (and is told to retry, 503, while a zone is missing)
   * rather than being told that no such event exists. Not cached: the worker restores the Redis record,
   * and is asked to here.
   */
  /** The event when this process has it cached already: the purchase path's way around two awaits. */
  cachedEvent(eventId: string): SaleEvent | undefined {
    return this.events.get(eventId);
  }

  async findEventForSale(eventId: string): Promise<Pick<SaleEvent, 'eventId' | 'venueId'> | undefined> {
    const event = await this.findEvent(eventId);
    if (event !== undefined) return event;
    const known = await this.readModelEvents?.find(eventId);
    if (known !== undefined) this.rebuildRequests.request(eventId);
    return known;
  }

  /**
   * Creates an event and opens every zone's seat map. Opening is idempotent, and it runs again when the
   * event exists already with the same venue, so a creation cut short half-way is completed by a retry.
   *
   * An event the read model knows but Redis does not was opened before and lost by Redis: opening it again
   * would offer every seat anew, sold ones included. Its maps come back from the event store instead (the
   * worker's rebuild). If the read model cannot answer, the event is taken as new (see ARCHITECTURE.md).
   */
  async openSale(event: SaleEvent): Promise<OpenSaleOutcome> {
    const venue = this.venues.get(event.venueId);
    if (venue === undefined) return 'UNKNOWN_VENUE';
    if (
      (await this.repository.find(event.eventId)) === undefined &&
      (await this.readModelEvents?.find(event.eventId))
    ) {
      this.rebuildRequests.request(event.eventId);
      return 'EXISTS';
    }
    const created = await this.repository.create(event);
    const stored = created ? event : await this.repository.find(event.eventId);
    if (stored !== undefined && stored.venueId === venue.venueId) {
      await Promise.all(venue.zones.map((zone) => this.seatMap.openZone(event.eventId, zone)));
      await this.recordInReadModel(stored);
    }
    return created ? 'CREATED' : 'EXISTS';
  }

  /**
   * The read model keeps the event whole (name, type, date), so a record Redis loses can be restored from it,
   * and knowing the event there marks it as opened. Best effort: without it the event still reaches the read
   * model (with its venue only) through its first ticket.
   */
  private async recordInReadModel(event: SaleEvent): Promise<void> {
    try {
      await this.projection?.upsertEvents([event]);
    } catch (error) {
      this.logger.warn(`event ${event.eventId} not recorded in the read model: ${(error as Error).message}`);
    }
  }
}

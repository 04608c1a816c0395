import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SeatRebuildRequests } from '../seat-recovery/seat-rebuild.requests';
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
   * Creates an event and opens every zone's seat map. A zone is opened empty only here, for an event no
   * store knows yet; an event that exists is never opened again:
   *
   * - Its record is in Redis but a zone is not (a Redis Cluster shard lost its data, a key was evicted or
   *   deleted): opening that zone would offer every seat anew, sold ones included. The zone comes back from
   *   the event store instead (the worker's rebuild), and purchases of it answer 503 meanwhile.
   * - Its record is gone but the read model knows it: Redis lost the event; the same rebuild restores it.
   *
   * The zones are opened before the record is written: purchases find an event only through its record, so
   * no seat is sold before every zone exists, and a creation cut short is completed by a retry (opening an
   * open zone changes nothing). If the read model cannot answer, the event is taken as new (see
   * ARCHITECTURE.md).
   */
  async openSale(event: SaleEvent): Promise<OpenSaleOutcome> {
    const venue = this.venues.get(event.venueId);
    if (venue === undefined) return 'UNKNOWN_VENUE';
    const existing = await this.repository.find(event.eventId);
    if (existing !== undefined) {
      await this.requestRebuildOfMissingZones(existing);
      return 'EXISTS';
    }
    if (await this.readModelEvents?.find(event.eventId)) {
      this.rebuildRequests.request(event.eventId);
      return 'EXISTS';
    }
    await Promise.all(venue.zones.map((zone) => this.seatMap.openZone(event.eventId, zone)));
    if (!(await this.repository.create(event))) return 'EXISTS';
    await this.recordInReadModel(event);
    return 'CREATED';
  }

  /** An existing event with a zone missing in Redis: the worker rebuilds it from the event store. */
  private async requestRebuildOfMissingZones(event: SaleEvent): Promise<void> {
    const venue = this.venues.get(event.venueId);
    if (venue === undefined) return;
    const open = await Promise.all(venue.zones.map((zone) => this.seatMap.isOpen(event.eventId, zone.zoneId)));
    if (open.includes(false)) this.rebuildRequests.request(event.eventId);
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

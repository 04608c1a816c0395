import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CatalogService } from '../catalog/catalog.service';
import { SalesByEventQuery } from '../read-model/sales-by-event/sales-by-event.query';
import { ZoneSeatMapQuery } from '../read-model/zone-seat-map/zone-seat-map.query';
import { EventSeats } from './event-seats';
import type { SeatSnapshotMessage, TakenSeat } from './live-messages';
import { SeatFeed, type FedSeat, type SeatFeedListener } from './seat-feed';

export interface SeatWatcher {
  /** The event's state, once, when the watching starts. */
  snapshot(message: SeatSnapshotMessage): void;
  /** Seats taken since, each once; the same array is handed to every watcher of the event. */
  taken(seats: readonly TakenSeat[]): void;
  /** Seats refunded since, free again. */
  freed(seats: readonly TakenSeat[]): void;
}

/** Events whose seats are kept while nobody watches them (the least recently sold is dropped first). */
const UNWATCHED_EVENTS_KEPT = 64;
/** Zone queries in flight while an event is seeded from the read model. */
const SEED_CONCURRENCY = 4;
/**
 * After the feed comes back, the watched events are read from the read model again this much later: the
 * seats the relay sent while the feed was away reach the read model within about a second (the worker).
 */
const RECONCILE_AGAIN_MS = 5000;

/**
 * The taken seats of the events being sold, kept in memory from two sources: the read model (the existing
 * zone-seat-map query, read once per event when it is first watched) and the live feed of reservation
 * events. The read model lags the sale; the feed covers that gap, since it records every event's seats
 * whether or not anyone watches, so a page opened mid-sale sees the seats relayed but not yet projected.
 * A watcher gets a snapshot and then only new seats, taken in the same tick, so nothing falls between.
 * No database work per page: one seeding per event per process, then memory.
 */
@Injectable()
export class LiveSeats implements SeatFeedListener, OnApplicationShutdown {
  private readonly logger = new Logger(LiveSeats.name);
  /** Map order is recency: an event is moved to the end when used (a sale, a watcher). */
  private readonly events = new Map<string, EventSeats>();
  private lastUsed: string | undefined;
  private secondPass: NodeJS.Timeout | undefined;
  private readonly watchers = new Map<string, Set<SeatWatcher>>();
  private readonly seeding = new Map<string, Promise<void>>();
  /** New seats seen on the feed per event since this process started: the ops view's sales rate. */
  private readonly fedCounts = new Map<string, number>();

  constructor(
    feed: SeatFeed,
    private readonly catalog: CatalogService,
    private readonly queryBus: QueryBus,
  ) {
    feed.listen(this);
  }

  /** Resolves with a function that stops the watching; undefined for an event that does not exist. */
  async watch(eventId: string, watcher: SeatWatcher): Promise<(() => void) | undefined> {
    const event = await this.catalog.findEvent(eventId);
    if (event === undefined) return undefined;
    const seats = this.eventSeats(eventId, event.venueId);
    if (seats === undefined) return undefined;
    if (!seats.seeded) await this.seed(seats);
    // Same tick from here: the snapshot and the first delta cannot miss a seat between them.
    let set = this.watchers.get(eventId);
    if (set === undefined) this.watchers.set(eventId, (set = new Set()));
    set.add(watcher);
    watcher.snapshot(this.snapshotOf(seats));
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(eventId) === set) this.watchers.delete(eventId);
    };
  }

  /** New seats seen on the feed per event since this process started (events it still keeps). */
  fedCountsByEvent(): Map<string, number> {
    return new Map(this.fedCounts);
  }

  seatsTaken(fed: readonly FedSeat[]): void {
    let byEvent: Map<string, TakenSeat[]> | undefined;
    for (const seat of fed) {
      const seats = this.eventSeats(seat.eventId, seat.venueId);
      if (seats === undefined || !seats.add(seat.zoneId, seat.row, seat.column)) continue;
      this.fedCounts.set(seat.eventId, (this.fedCounts.get(seat.eventId) ?? 0) + 1);
      if (!this.watchers.has(seat.eventId)) continue;
      byEvent ??= new Map();
      let list = byEvent.get(seat.eventId);
      if (list === undefined) byEvent.set(seat.eventId, (list = []));
      list.push({ zoneId: seat.zoneId, row: seat.row, column: seat.column });
    }
    if (byEvent === undefined) return;
    for (const [eventId, taken] of byEvent) {
      for (const watcher of this.watchers.get(eventId) ?? []) watcher.taken(taken);
    }
  }

  seatsFreed(fed: readonly FedSeat[]): void {
    const byEvent = new Map<string, TakenSeat[]>();
    for (const seat of fed) {
      // Only events this process keeps: an unknown one is read from the read model when first watched.
      const seats = this.events.get(seat.eventId);
      if (seats === undefined || !seats.remove(seat.zoneId, seat.row, seat.column)) continue;
      const list = byEvent.get(seat.eventId) ?? [];
      list.push({ zoneId: seat.zoneId, row: seat.row, column: seat.column });
      byEvent.set(seat.eventId, list);
    }
    for (const [eventId, freed] of byEvent) {
      for (const watcher of this.watchers.get(eventId) ?? []) watcher.freed(freed);
    }
  }

  /**
   * Seats relayed while the feed was down reached no copy this process received. The read model has them,
   * or will once the worker has caught up: the watched events are read again now and once more a little
   * later, and what is new goes to their watchers as ordinary `seats`. Unwatched events are read again
   * when next watched.
   */
  resumed(): void {
    for (const seats of this.events.values()) seats.seeded = false;
    const reconcile = () => {
      for (const eventId of this.watchers.keys()) {
        const seats = this.events.get(eventId);
        if (seats !== undefined) void this.reconcile(seats);
      }
    };
    reconcile();
    clearTimeout(this.secondPass);
    this.secondPass = setTimeout(reconcile, RECONCILE_AGAIN_MS);
    this.secondPass.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.secondPass);
  }

  private async reconcile(seats: EventSeats): Promise<void> {
    let added: TakenSeat[];
    try {
      added = await this.readModelSeats(seats);
      seats.seeded = true;
    } catch (error) {
      this.logger.warn(`read model not readable for the seats of ${seats.eventId}: ${(error as Error).message}`);
      return;
    }
    if (added.length === 0) return;
    for (const watcher of this.watchers.get(seats.eventId) ?? []) watcher.taken(added);
  }

  private snapshotOf(seats: EventSeats): SeatSnapshotMessage {
    return { eventId: seats.eventId, venueId: seats.venueId, complete: seats.seeded, zones: seats.snapshot() };
  }

  /** The event's seats, created on first use; undefined for a venue the catalog does not have. */
  private eventSeats(eventId: string, venueId: string): EventSeats | undefined {
    let seats = this.events.get(eventId);
    if (seats !== undefined) {
      if (this.lastUsed !== eventId) {
        this.events.delete(eventId);
        this.events.set(eventId, seats);
        this.lastUsed = eventId;
      }
      return seats;
    }
    const venue = this.catalog.findVenue(venueId);
    if (venue === undefined) return undefined;
    seats = new EventSeats(eventId, venueId, venue.zones);
    this.events.set(eventId, seats);
    this.lastUsed = eventId;
    this.evictUnwatched();
    return seats;
  }

  private evictUnwatched(): void {
    let unwatched = 0;
    for (const eventId of this.events.keys()) if (!this.watchers.has(eventId)) unwatched++;
    for (const eventId of this.events.keys()) {
      if (unwatched <= UNWATCHED_EVENTS_KEPT) return;
      if (this.watchers.has(eventId) || this.seeding.has(eventId)) continue;
      this.events.delete(eventId);
      this.fedCounts.delete(eventId);
      unwatched--;
    }
  }

  /** Merges the read model's seats in; several watchers arriving together share one read. */
  private seed(seats: EventSeats): Promise<void> {
    let pending = this.seeding.get(seats.eventId);
    if (pending === undefined) {
      pending = this.readModelSeats(seats)
        .then(
          () => void (seats.seeded = true),
          (error: Error) =>
            // Shown as an incomplete snapshot, tried again for the next watcher.
            this.logger.warn(`read model not readable for the seats of ${seats.eventId}: ${error.message}`),
        )
        .finally(() => this.seeding.delete(seats.eventId));
      this.seeding.set(seats.eventId, pending);
    }
    return pending;
  }

  /** Adds the read model's seats of the event; returns those that were not known taken. */
  private async readModelSeats(seats: EventSeats): Promise<TakenSeat[]> {
    const sales = await this.queryBus.execute(new SalesByEventQuery(seats.eventId));
    // Unknown to the read model: nothing projected yet (an event opened by the admin endpoint starts so).
    if (sales === undefined) return [];
    const zones = sales.zones.filter((z) => z.sold > 0).map((z) => z.zoneId);
    const added: TakenSeat[] = [];
    let next = 0;
    const worker = async () => {
      while (next < zones.length) {
        const zoneId = zones[next++]!;
        const map = await this.queryBus.execute(new ZoneSeatMapQuery(seats.eventId, zoneId));
        for (const seat of map?.taken ?? []) {
          const row = seat[0]!;
          const column = Number(seat.slice(1));
          if (seats.add(zoneId, row, column)) added.push({ zoneId, row, column });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEED_CONCURRENCY, zones.length) }, worker));
    return added;
  }
}

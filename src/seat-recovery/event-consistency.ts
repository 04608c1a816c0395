import type { MikroORM } from '@mikro-orm/mysql';
import type { SaleEvent, Venue } from '../catalog/catalog.schema';
import type { Catalog } from '../catalog/catalog.schema';
import { EventRepository } from '../catalog/event.repository';
import type { AppConfig } from '../platform/config/app-config';
import { RedisSeatMap } from '../purchasing/seat-map/redis-seat-map';
import type { RedisClient } from '../platform/redis/redis.factory';
import type { SeatMap } from '../purchasing/seat-map/seat-map.port';
import { listEventTickets, deleteEventTickets } from '../read-model/event-tickets.maintenance';
import { TicketProjection } from '../read-model/ticket.projection';
import type { TicketWriteStore } from '../write-store/ticket-write-store.port';
import { compareStores, type ComparisonReport } from './compare-stores';
import { seatKeyOf, snapshotOf } from './store-snapshot';
import type { Progress, ProgressCount } from '../platform/cli/progress-bar';
export type { Progress, ProgressCount };

export interface ConsistencyDeps {
  seatMap: SeatMap;
  events: EventRepository;
  venues: Map<string, Venue>;
  writeStore: TicketWriteStore;
  orm: MikroORM;
  projection: TicketProjection;
}

/** How far a counted step is: a tool draws it as a bar, a log keeps the message. */

const REPLAY_BATCH = 500;

/**
 * The three stores of one event side by side: the consistency check, and the two replays that event
 * sourcing buys (the read model and the seat map rebuilt from the write store, the source of truth).
 */
export class EventConsistency {
  constructor(private readonly deps: ConsistencyDeps) {}

  /** The three stores as the command-line tools and the tests reach them: Redis, a write store, an ORM. */
  static on(
    redis: RedisClient,
    config: AppConfig,
    catalog: Catalog,
    writeStore: TicketWriteStore,
    orm: MikroORM,
  ): EventConsistency {
    return new EventConsistency({
      seatMap: new RedisSeatMap(redis, config),
      events: new EventRepository(redis),
      venues: new Map(catalog.venues.map((v) => [v.venueId, v])),
      writeStore,
      orm,
      projection: new TicketProjection(orm),
    });
  }

  /** The event's venue: from the event record in Redis, else from the write store's tickets. */
  async venueOf(eventId: string): Promise<Venue | undefined> {
    const event = await this.deps.events.find(eventId);
    const venueId = event?.venueId ?? (await this.deps.writeStore.listEventTickets(eventId))[0]?.venueId;
    return venueId === undefined ? undefined : this.deps.venues.get(venueId);
  }

  async check(eventId: string): Promise<ComparisonReport> {
    const venue = await this.venueOf(eventId);
    if (venue === undefined) return { figures: {}, differences: [`event ${eventId} is unknown to Redis and DynamoDB`] };
    const taken = new Set<string>();
    const problems: string[] = [];
    for (const zone of venue.zones) {
      const snapshot = await this.deps.seatMap.snapshotZone(eventId, zone);
      if (snapshot === null) {
        problems.push(`redis: zone ${zone.zoneId} has no seat map`);
        continue;
      }
      for (const [row, column] of snapshot.taken) taken.add(seatKeyOf({ zoneId: zone.zoneId, row, column }));
      const free = zone.rowCount * zone.colCount - snapshot.taken.length;
      if (snapshot.zoneLeft !== free) {
        problems.push(`redis: zone ${zone.zoneId} counter says ${snapshot.zoneLeft} left, bitmap ${free}`);
      }
      for (const [row, left] of Object.entries(snapshot.rowsLeft)) {
        const rowFree = zone.colCount - snapshot.taken.filter(([r]) => r === row).length;
        if (left !== rowFree) problems.push(`redis: zone ${zone.zoneId} row ${row} counter ${left}, bitmap ${rowFree}`);
      }
    }
    const [written, projected] = await Promise.all([
      this.deps.writeStore.listEventTickets(eventId),
      listEventTickets(this.deps.orm, eventId),
    ]);
    return compareStores({ taken, problems }, snapshotOf('dynamodb', written), snapshotOf('mysql', projected));
  }

  /** Replaces the event's MySQL tickets with a replay of its DynamoDB tickets. */
  async rebuildReadModel(
    eventId: string,
    progress: Progress,
  ): Promise<{ reserved: number; cancelled: number; refunded: number }> {
    const tickets = await this.deps.writeStore.listEventTickets(eventId);
    progress(`read ${tickets.length} tickets of ${eventId} from DynamoDB`);
    const deleted = await deleteEventTickets(this.deps.orm, eventId);
    progress(`deleted ${deleted} projected tickets from MySQL`);
    const reserved = tickets.filter((t) => t.status === 'RESERVED');
    const cancelled = tickets.filter((t) => t.status === 'CANCELLED');
    const now = new Date().toISOString();
    // Owners first, so a cancelled ticket never takes a seat its owner should hold.
    for (let i = 0; i < reserved.length; i += REPLAY_BATCH) {
      await this.deps.projection.applyReserved(reserved.slice(i, i + REPLAY_BATCH));
      const done = Math.min(i + REPLAY_BATCH, reserved.length);
      progress(`reserved ${done}/${reserved.length}`, { done, total: reserved.length, unit: 'reserved tickets' });
    }
    for (let i = 0; i < cancelled.length; i += REPLAY_BATCH) {
      const batch = cancelled
        .slice(i, i + REPLAY_BATCH)
        .map((t) => ({ ...t, reason: t.reason ?? 'CANCELLED', cancelledOn: now }));
      await this.deps.projection.applyCancelled(batch);
      const done = Math.min(i + REPLAY_BATCH, cancelled.length);
      progress(`cancelled ${done}/${cancelled.length}`, { done, total: cancelled.length, unit: 'cancelled tickets' });
    }
    // Refunds last: each frees its seat, never taking one (a refunded ticket is not replayed as a reservation,
    // so a resale of its seat is already live above).
    const refunded = tickets
      .filter((t) => t.status === 'REFUNDED')
      .map(({ status: _status, cancelledOn: _cancelledOn, ...t }) => ({ ...t, refundedOn: t.refundedOn ?? now }));
    for (let i = 0; i < refunded.length; i += REPLAY_BATCH) {
      await this.deps.projection.applyRefunded(refunded.slice(i, i + REPLAY_BATCH));
      const done = Math.min(i + REPLAY_BATCH, refunded.length);
      progress(`refunded ${done}/${refunded.length}`, { done, total: refunded.length, unit: 'refunded tickets' });
    }
    return { reserved: reserved.length, cancelled: cancelled.length, refunded: refunded.length };
  }

  /**
   * Rebuilds the event's MISSING Redis seat maps from the live tickets in DynamoDB, zone by zone (each zone
   * one atomic script call; a zone that has a map is left alone), then restores the event's record. Run it
   * once every ticket reserved in those zones before they went missing has reached DynamoDB: a ticket still
   * on its way would come back as a free seat. `zones` limits it to the zones known to have been missing
   * when that drain began (SeatMapRebuilder); without it, every missing zone.
   */
  async rebuildSeats(
    eventId: string,
    progress: Progress,
    event?: SaleEvent,
    zones?: ReadonlySet<number>,
  ): Promise<{ taken: number; rebuiltZones: number }> {
    const tickets = await this.deps.writeStore.listEventTickets(eventId);
    const venueId = event?.venueId ?? (await this.deps.events.find(eventId))?.venueId ?? tickets[0]?.venueId;
    const venue = venueId === undefined ? undefined : this.deps.venues.get(venueId);
    if (venue === undefined) throw new Error(`event ${eventId}: no venue known in Redis or DynamoDB`);
    const live = tickets.filter((t) => t.status === 'RESERVED');
    progress(`read ${live.length} live tickets of ${eventId} (${venue.venueId}) from DynamoDB`);
    let taken = 0;
    let rebuiltZones = 0;
    for (const [i, zone] of venue.zones.entries()) {
      if (zones === undefined || zones.has(zone.zoneId)) {
        const seats = live.filter((t) => t.zoneId === zone.zoneId);
        const result = await this.deps.seatMap.rebuildZone(eventId, zone, seats);
        taken += result.taken;
        if (result.rebuilt) rebuiltZones++;
      }
      if ((i + 1) % 10 === 0 || i === venue.zones.length - 1)
        progress(`zones ${i + 1}/${venue.zones.length}: ${rebuiltZones} rebuilt, seats taken ${taken}`, {
          done: i + 1,
          total: venue.zones.length,
          unit: 'zones',
        });
    }
    // Last: the record makes the event look whole to the API, so it comes back once its zones have.
    if (event !== undefined) await this.deps.events.create(event);
    return { taken, rebuiltZones };
  }
}

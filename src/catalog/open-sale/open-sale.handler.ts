import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  EVENT_HISTORY,
  SEAT_INVENTORY,
  SEAT_MAP_LOSS,
  type EventHistory,
  type SeatInventory,
  type SeatMapLossReporter,
} from '../catalog.ports';
import type { SaleEvent } from '../catalog.schema';
import { CatalogService } from '../catalog.service';
import { EventRepository } from '../event.repository';
import { OpenSaleCommand, type OpenSaleOutcome } from './open-sale.command';

/**
 * Creates an event and opens every zone's seat map. A zone is opened empty only here, for an event no store
 * knows yet; an event that exists is never opened again:
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
@CommandHandler(OpenSaleCommand)
export class OpenSaleHandler implements ICommandHandler<OpenSaleCommand, OpenSaleOutcome> {
  private readonly logger = new Logger(OpenSaleHandler.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly repository: EventRepository,
    @Inject(SEAT_INVENTORY) private readonly seats: SeatInventory,
    @Inject(SEAT_MAP_LOSS) private readonly seatMapLoss: SeatMapLossReporter,
    @Optional() @Inject(EVENT_HISTORY) private readonly history?: EventHistory,
  ) {}

  async execute({ event }: OpenSaleCommand): Promise<OpenSaleOutcome> {
    const venue = this.catalog.findVenue(event.venueId);
    if (venue === undefined) return 'UNKNOWN_VENUE';
    const existing = await this.repository.find(event.eventId);
    if (existing !== undefined) {
      await this.reportMissingZones(existing);
      return 'EXISTS';
    }
    if (await this.history?.find(event.eventId)) {
      this.seatMapLoss.request(event.eventId);
      return 'EXISTS';
    }
    await Promise.all(venue.zones.map((zone) => this.seats.openZone(event.eventId, zone)));
    if (!(await this.repository.create(event))) return 'EXISTS';
    await this.recordInHistory(event);
    return 'CREATED';
  }

  /** An existing event with a zone missing in Redis: the worker rebuilds it from the event store. */
  private async reportMissingZones(event: SaleEvent): Promise<void> {
    const venue = this.catalog.findVenue(event.venueId);
    if (venue === undefined) return;
    const open = await Promise.all(venue.zones.map((zone) => this.seats.isOpen(event.eventId, zone.zoneId)));
    if (open.includes(false)) this.seatMapLoss.request(event.eventId);
  }

  /**
   * The read model keeps the event whole (name, type, date), so a record Redis loses can be restored from it,
   * and knowing the event there marks it as opened. Best effort: without it the event still reaches the read
   * model (with its venue only) through its first ticket.
   */
  private async recordInHistory(event: SaleEvent): Promise<void> {
    try {
      await this.history?.record(event);
    } catch (error) {
      this.logger.warn(`event ${event.eventId} not recorded in the read model: ${(error as Error).message}`);
    }
  }
}

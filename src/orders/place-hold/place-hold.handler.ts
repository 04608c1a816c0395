import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { newHoldId } from '../../purchasing/seat-map/hold.keys';
import { RedisSeatHolds } from '../../purchasing/seat-map/redis-seat-holds';
import { rowIndexOf } from '../../purchasing/seat';
import { BUYER_QUOTA, type BuyerQuota } from '../buyer-limit/buyer-quota.port';
import { HoldMetrics } from '../hold-metrics';
import type { PlaceHoldOutcome } from '../order-outcome';
import { CatalogService } from '../../catalog/catalog.service';
import { SeatRebuildRequests } from '../../purchasing/seat-map/seat-rebuild.requests';
import { PlaceHoldCommand } from './place-hold.command';

/**
 * Takes a hold's seats, all or none, in one script call (hold-seats.lua), inside the buyer's limit: the
 * quota is claimed before any seat is taken and released again if none was (see BuyerQuota's protocol).
 */
@CommandHandler(PlaceHoldCommand)
export class PlaceHoldHandler implements ICommandHandler<PlaceHoldCommand, PlaceHoldOutcome> {
  constructor(
    private readonly holds: RedisSeatHolds,
    private readonly catalog: CatalogService,
    private readonly rebuildRequests: SeatRebuildRequests,
    private readonly metrics: HoldMetrics,
    @Inject(BUYER_QUOTA) private readonly quota: BuyerQuota,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: PlaceHoldCommand): Promise<PlaceHoldOutcome> {
    const catalog = this.catalog;
    const event = catalog.cachedEvent(command.eventId) ?? (await catalog.findEventForSale(command.eventId));
    if (event === undefined || event.venueId !== command.venueId) {
      return { kind: 'NOT_FOUND', message: `event ${command.eventId} at venue ${command.venueId} not found` };
    }
    const zone = catalog.findZone(command.venueId, command.zoneId);
    if (zone === undefined) {
      return { kind: 'NOT_FOUND', message: `zone ${command.zoneId} not found at venue ${command.venueId}` };
    }
    const { pick } = command;
    if ('seats' in pick) {
      const outside = pick.seats.find((seat) => rowIndexOf(seat.row) >= zone.rowCount || seat.column > zone.colCount);
      if (outside !== undefined) {
        return {
          kind: 'NOT_FOUND',
          message: `seat ${outside.row}${outside.column} is outside zone ${command.zoneId}`,
        };
      }
    }
    const seatCount = 'seats' in pick ? pick.seats.length : pick.bestAvailable;
    const holdId = newHoldId(command.eventId, command.zoneId);
    const claim = await this.quota.claim(command.eventId, command.buyerId, holdId, seatCount);
    if (!claim.ok) return { kind: 'BUYER_LIMIT', held: claim.held, limit: claim.limit };

    // Taken only before the claim's deadline: a lapsed claim may be dropped from the ledger, and seats taken
    // for it would count nowhere (hold-seats.lua refuses, CLAIM_EXPIRED).
    const result = await this.holds.hold({
      holdId,
      buyerId: command.buyerId,
      eventId: command.eventId,
      zoneId: command.zoneId,
      holdMs: this.config.HOLD_TTL_SECONDS * 1000,
      notAfter: claim.notAfter,
      pick,
    });
    if (result.code === 'HELD' || result.code === 'REPLAYED') {
      await this.quota.held(command.eventId, command.buyerId, holdId, result.seats.length, result.expiresAt);
      this.metrics.count('opened');
      return {
        kind: 'HELD',
        holdId,
        eventId: command.eventId,
        zoneId: command.zoneId,
        buyerId: command.buyerId,
        seats: result.seats,
        total: zone.ticketPrice * result.seats.length,
        expiresAt: result.expiresAt,
      };
    }
    await this.quota.release(command.eventId, command.buyerId, holdId);
    switch (result.code) {
      case 'SEAT_TAKEN':
      case 'ROW_SOLD_OUT':
      case 'DUPLICATE_SEAT':
        return { kind: result.code, zoneId: command.zoneId, seat: result.seat };
      case 'ZONE_SOLD_OUT':
      case 'NOT_ENOUGH_ADJACENT':
        return { kind: result.code };
      case 'CLAIM_EXPIRED':
        // BUYER_QUOTA_CLAIM_SECONDS (10 s) passed between the claim and the hold: an overloaded moment, retried.
        return { kind: 'SALE_UNAVAILABLE', message: 'the hold could not be placed in time; retry shortly' };
      case 'NOT_OPEN':
        // As for a single seat: the event is known and its zones opened with it, so Redis lost the map.
        this.rebuildRequests.request(command.eventId);
        return {
          kind: 'SALE_UNAVAILABLE',
          message: `the seat map of event ${command.eventId} zone ${command.zoneId} is being restored; retry shortly`,
        };
    }
  }
}

import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { RedisSeatHolds } from '../../purchasing/seat-map/redis-seat-holds';
import { newTicketId } from '../../purchasing/ticket-id';
import { TicketReservedEvent, type TicketReservedData } from '../../purchasing/ticket-reserved.event';
import { BUYER_QUOTA, type BuyerQuota } from '../buyer-limit/buyer-quota.port';
import { HoldMetrics } from '../hold-metrics';
import type { ConfirmHoldOutcome } from '../order-outcome';
import { CatalogService } from '../../catalog/catalog.service';
import { ConfirmHoldCommand } from './confirm-hold.command';

/**
 * Turns a hold into tickets: one TicketReserved per seat, built here exactly as a single-seat purchase builds
 * its one (same fields, same order, plus the buyer), appended to the outbox by confirm-hold.lua in the same
 * call that marks the hold confirmed. From the outbox on, they travel to both stores like any ticket.
 * Idempotent: a repeated confirm is answered with the first one's tickets (the ids made by a repeat are
 * discarded by the script).
 */
@CommandHandler(ConfirmHoldCommand)
export class ConfirmHoldHandler implements ICommandHandler<ConfirmHoldCommand, ConfirmHoldOutcome> {
  constructor(
    private readonly holds: RedisSeatHolds,
    private readonly catalog: CatalogService,
    private readonly metrics: HoldMetrics,
    private readonly eventBus: EventBus,
    @Inject(BUYER_QUOTA) private readonly quota: BuyerQuota,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: ConfirmHoldCommand): Promise<ConfirmHoldOutcome> {
    const hold = await this.holds.find(command.holdId);
    if (hold === null) return { kind: 'HOLD_NOT_FOUND' };
    if (hold.status === 'confirmed') {
      // A retry also repeats the quota step, in case the first confirm stopped before it.
      await this.quota.sold(hold.eventId, hold.buyerId, hold.holdId);
      return { kind: 'CONFIRMED', hold, tickets: hold.tickets ?? '[]' };
    }

    const catalog = this.catalog;
    const event = catalog.cachedEvent(hold.eventId) ?? (await catalog.findEventForSale(hold.eventId));
    const zone = event === undefined ? undefined : catalog.findZone(event.venueId, hold.zoneId);
    // A hold is only made for a known event and zone, and neither is ever removed.
    if (event === undefined || zone === undefined) {
      throw new Error(`hold ${hold.holdId} names event ${hold.eventId} zone ${hold.zoneId}, unknown to the catalog`);
    }
    const createdOn = new Date().toISOString();
    const tickets: TicketReservedData[] = hold.seats.map((seat) => ({
      ticketId: newTicketId(hold.eventId, hold.zoneId),
      venueId: event.venueId,
      eventId: hold.eventId,
      zoneId: hold.zoneId,
      row: seat.row,
      column: seat.column,
      price: zone.ticketPrice,
      createdOn,
      buyerId: hold.buyerId,
    }));
    const result = await this.holds.confirm({
      hold,
      paymentReference: command.paymentReference,
      tickets: tickets.map((ticket) => ({ ticketId: ticket.ticketId, payload: JSON.stringify(ticket) })),
      ticketCacheSeconds: this.config.TICKET_CACHE_TTL_SECONDS,
      // As long as an Idempotency-Key answers a single-seat retry with its ticket.
      keepSeconds: this.config.IDEMPOTENCY_TTL_SECONDS,
    });
    if (result.code !== 'CONFIRMED') return { kind: result.code };
    if (result.now) {
      this.metrics.count('confirmed');
      for (const ticket of tickets) this.eventBus.publish(new TicketReservedEvent(ticket));
    }
    // Also after a concurrent confirm won: marking the claim sold is idempotent.
    await this.quota.sold(hold.eventId, hold.buyerId, hold.holdId);
    return { kind: 'CONFIRMED', hold: { ...hold, status: 'confirmed' }, tickets: result.tickets };
  }
}

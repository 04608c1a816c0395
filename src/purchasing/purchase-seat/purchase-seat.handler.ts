import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { CatalogService } from '../../catalog/catalog.service';
import { SeatRebuildRequests } from '../seat-map/seat-rebuild.requests';
import { SEAT_MAP, type SeatMap } from '../seat-map/seat-map.port';
import { rowIndexOf } from '../seat';
import { newTicketId } from '../ticket-id';
import type { PurchaseOutcome } from '../purchase-outcome';
import { TicketReservedEvent, type TicketReservedData } from '../ticket-reserved.event';
import { PurchaseSeatCommand } from './purchase-seat.command';

const fingerprint = (c: PurchaseSeatCommand): string => `${c.venueId}|${c.eventId}|${c.zoneId}|${c.row}|${c.column}`;

const WARN_EVERY_MS = 60_000;

@CommandHandler(PurchaseSeatCommand)
export class PurchaseSeatHandler implements ICommandHandler<PurchaseSeatCommand, PurchaseOutcome> {
  private readonly logger = new Logger(PurchaseSeatHandler.name);
  private lastWarnAt = 0;

  constructor(
    @Inject(SEAT_MAP) private readonly seatMap: SeatMap,
    private readonly catalog: CatalogService,
    private readonly eventBus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rebuildRequests: SeatRebuildRequests,
  ) {}

  async execute(command: PurchaseSeatCommand): Promise<PurchaseOutcome> {
    const event = this.catalog.cachedEvent(command.eventId) ?? (await this.catalog.findEventForSale(command.eventId));
    if (event === undefined || event.venueId !== command.venueId) {
      return { kind: 'NOT_FOUND', message: `event ${command.eventId} at venue ${command.venueId} not found` };
    }
    const zone = this.catalog.findZone(command.venueId, command.zoneId);
    if (zone === undefined) {
      return { kind: 'NOT_FOUND', message: `zone ${command.zoneId} not found at venue ${command.venueId}` };
    }
    if (rowIndexOf(command.row) >= zone.rowCount || command.column > zone.colCount) {
      return { kind: 'NOT_FOUND', message: `seat ${command.row}${command.column} is outside zone ${command.zoneId}` };
    }

    if (command.idempotencyKey !== undefined) {
      // A short claim: most purchases of a rush are refused, and a refused key need not outlive its retries.
      // The record is kept IDEMPOTENCY_TTL_SECONDS once the seat is taken (keepKey).
      const previous = await this.seatMap.claimIdempotencyKey(
        command.idempotencyKey,
        fingerprint(command),
        this.config.IDEMPOTENCY_CLAIM_SECONDS,
      );
      if (previous !== null && previous !== fingerprint(command)) return { kind: 'IDEMPOTENCY_KEY_REUSED' };
    }

    const ticket: TicketReservedData = {
      ticketId: newTicketId(command.eventId, command.zoneId),
      venueId: command.venueId,
      eventId: command.eventId,
      zoneId: command.zoneId,
      row: command.row,
      column: command.column,
      price: zone.ticketPrice,
      createdOn: new Date().toISOString(),
    };
    const payload = JSON.stringify(ticket);
    const result = await this.seatMap.reserve({
      seat: command,
      ticketId: ticket.ticketId,
      payload,
      ...(command.idempotencyKey !== undefined && { idempotencyKey: command.idempotencyKey }),
    });
    switch (result.code) {
      case 'RESERVED':
        this.keepKey(command.idempotencyKey);
        this.eventBus.publish(new TicketReservedEvent(ticket));
        return { kind: 'RESERVED', ticket, json: payload, replayed: false };
      case 'REPLAYED':
        // Also on a replay: it restores a record whose first extension was lost.
        this.keepKey(command.idempotencyKey);
        return {
          kind: 'RESERVED',
          ticket: JSON.parse(result.payload) as TicketReservedData,
          json: result.payload,
          replayed: true,
        };
      case 'NOT_OPEN':
        // The event is known (checked above) and every zone is opened with it: a missing seat map means
        // Redis lost it. Ask a worker to rebuild it from the event store; "retry later" until it exists.
        this.rebuildRequests.request(command.eventId);
        return {
          kind: 'SALE_UNAVAILABLE',
          message: `the seat map of event ${command.eventId} zone ${command.zoneId} is being restored; retry shortly`,
        };
      case 'SEAT_TAKEN':
      case 'ROW_SOLD_OUT':
      case 'ZONE_SOLD_OUT':
        return { kind: result.code };
    }
  }

  /**
   * Not awaited: the 201 does not depend on it, and until it lands the claim still holds the key. If it is
   * lost (Redis fails right then), the record expires after IDEMPOTENCY_CLAIM_SECONDS; a retry of the same
   * seat is still answered with the original ticket by the reservation's own record (idem:{pN}:<key>, kept
   * IDEMPOTENCY_TTL_SECONDS), and only a reuse of the key for another seat goes unnoticed.
   */
  private keepKey(key: string | undefined): void {
    if (key === undefined) return;
    this.seatMap.keepIdempotencyKey(key, this.config.IDEMPOTENCY_TTL_SECONDS).catch((error: Error) => {
      if (Date.now() - this.lastWarnAt < WARN_EVERY_MS) return;
      this.lastWarnAt = Date.now();
      this.logger.warn(`an Idempotency-Key record was not extended, it expires early: ${error.message}`);
    });
  }
}

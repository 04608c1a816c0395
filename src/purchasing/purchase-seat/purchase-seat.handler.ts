import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CatalogService } from '../../catalog/catalog.service';
import { SeatRebuildRequests } from '../../consistency/seat-rebuild/seat-rebuild.requests';
import { SEAT_MAP, type SeatMap } from '../seat-map/seat-map.port';
import { rowIndexOf } from '../seat';
import { newTicketId } from '../ticket-id';
import type { PurchaseOutcome } from '../purchase-outcome';
import { TicketReservedEvent, type TicketReservedData } from '../ticket-reserved.event';
import { PurchaseSeatCommand } from './purchase-seat.command';

const fingerprint = (c: PurchaseSeatCommand): string => `${c.venueId}|${c.eventId}|${c.zoneId}|${c.row}|${c.column}`;

@CommandHandler(PurchaseSeatCommand)
export class PurchaseSeatHandler implements ICommandHandler<PurchaseSeatCommand, PurchaseOutcome> {
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
      const previous = await this.seatMap.claimIdempotencyKey(
        command.idempotencyKey,
        fingerprint(command),
        this.config.IDEMPOTENCY_TTL_SECONDS,
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
        this.eventBus.publish(new TicketReservedEvent(ticket));
        return { kind: 'RESERVED', ticket, json: payload, replayed: false };
      case 'REPLAYED':
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
}

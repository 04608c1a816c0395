import { Command } from '@nestjs/cqrs';
import type { SeatRef } from '../seat';
import type { PurchaseOutcome } from '../purchase-outcome';

export class PurchaseSeatCommand extends Command<PurchaseOutcome> implements SeatRef {
  constructor(
    readonly venueId: string,
    readonly eventId: string,
    readonly zoneId: number,
    readonly row: string,
    readonly column: number,
    /** A client's retry token: the same key and seat get the original ticket back. */
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}

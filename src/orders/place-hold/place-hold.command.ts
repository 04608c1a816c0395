import { Command } from '@nestjs/cqrs';
import type { HeldSeat } from '../../purchasing/seat-map/redis-seat-holds';
import type { PlaceHoldOutcome } from '../order-outcome';

export class PlaceHoldCommand extends Command<PlaceHoldOutcome> {
  constructor(
    readonly venueId: string,
    readonly eventId: string,
    readonly buyerId: string,
    readonly zoneId: number,
    /** The seats the buyer named, or how many adjacent seats the platform picks. */
    readonly pick: { readonly seats: readonly HeldSeat[] } | { readonly bestAvailable: number },
  ) {
    super();
  }
}

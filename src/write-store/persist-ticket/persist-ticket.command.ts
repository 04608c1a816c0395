import { Command } from '@nestjs/cqrs';
import type { TicketReservedData } from '../../purchasing/ticket-reserved.event';
import type { PersistOutcome } from '../persist-outcome';

/** Record a batch of reserved tickets in the write store; one outcome per ticket, in the same order. */
export class PersistTicketsCommand extends Command<PersistOutcome[]> {
  constructor(readonly tickets: readonly TicketReservedData[]) {
    super();
  }
}

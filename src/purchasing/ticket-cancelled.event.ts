import type { IEvent } from '@nestjs/cqrs';
import type { TicketReservedData } from './ticket-reserved.event';

/** A ticket the write store refused (its seat already belongs to another ticket), with the reason. */
export interface TicketCancelledData extends TicketReservedData {
  readonly reason: string;
  readonly cancelledOn: string;
}

export class TicketCancelledEvent implements IEvent {
  static readonly type = 'TicketCancelled';
  constructor(readonly ticket: TicketCancelledData) {}
}

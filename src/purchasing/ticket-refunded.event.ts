import type { IEvent } from '@nestjs/cqrs';
import type { TicketReservedData } from './ticket-reserved.event';

/**
 * A confirmed ticket refunded by an operator: its seat went back on sale in the same script call that appended
 * this fact to the outbox. It carries the whole reservation (createdOn included), so a store that receives
 * the refund before the reservation can still record the ticket.
 */
export interface TicketRefundedData extends TicketReservedData {
  readonly refundedOn: string;
  readonly reason?: string;
}

export class TicketRefundedEvent implements IEvent {
  static readonly type = 'TicketRefunded';
  constructor(readonly ticket: TicketRefundedData) {}
}

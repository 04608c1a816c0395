import type { IEvent } from '@nestjs/cqrs';

/** The fact a successful purchase records; its JSON form is what the outbox carries to the broker. */
export interface TicketReservedData {
  readonly ticketId: string;
  readonly venueId: string;
  readonly eventId: string;
  readonly zoneId: number;
  readonly row: string;
  readonly column: number;
  readonly price: number;
  readonly createdOn: string;
  /** The buyer of a confirmed hold (POST /api/v1/holds); a single-seat purchase names none. */
  readonly buyerId?: string;
}

export class TicketReservedEvent implements IEvent {
  static readonly type = 'TicketReserved';
  constructor(readonly ticket: TicketReservedData) {}
}

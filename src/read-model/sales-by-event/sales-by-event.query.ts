import { Query } from '@nestjs/cqrs';

export interface ZoneSales {
  zoneId: number;
  sold: number;
  revenue: number;
}

export interface EventSales {
  eventId: string;
  venueId: string;
  ticketsSold: number;
  revenue: number;
  /** Every zone of the venue (zeros included), in zone order. */
  zones: ZoneSales[];
}

/** Live (RESERVED) tickets of an event, totalled and per zone; undefined for an event the read model does not know. */
export class SalesByEventQuery extends Query<EventSales | undefined> {
  constructor(readonly eventId: string) {
    super();
  }
}

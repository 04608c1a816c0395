import { Query } from '@nestjs/cqrs';
import type { TicketView } from '../ticket.view';

export interface TicketPage {
  tickets: TicketView[];
  /** The id of the page's last ticket when more may follow; null on the last page. */
  nextAfter: string | null;
}

/**
 * A page of an event's tickets (live and cancelled) in ticket id order, after a given id (keyset pagination:
 * a page costs the same however deep it is). Undefined for an event the read model does not know.
 */
export class ListEventTicketsQuery extends Query<TicketPage | undefined> {
  constructor(
    readonly eventId: string,
    readonly limit: number,
    readonly zoneId?: number,
    readonly afterTicketId?: string,
  ) {
    super();
  }
}

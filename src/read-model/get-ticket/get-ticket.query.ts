import { Query } from '@nestjs/cqrs';
import type { TicketView } from '../ticket.view';

/** One ticket by id; undefined when the read model does not have it (yet). */
export class GetTicketQuery extends Query<TicketView | undefined> {
  constructor(readonly ticketId: string) {
    super();
  }
}

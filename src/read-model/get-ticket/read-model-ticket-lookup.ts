import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { KnownTicket, TicketLookup } from '../../purchasing/refund-ticket/ticket-lookup.port';
import { GetTicketQuery } from './get-ticket.query';

/** Purchasing's TicketLookup, answered by the GetTicket query (the read model, then the ticket cache). */
@Injectable()
export class ReadModelTicketLookup implements TicketLookup {
  constructor(private readonly queryBus: QueryBus) {}

  find(ticketId: string): Promise<KnownTicket | undefined> {
    return this.queryBus.execute(new GetTicketQuery(ticketId));
  }
}

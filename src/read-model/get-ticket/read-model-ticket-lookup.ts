import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  TicketLookupUnavailableError,
  type KnownTicket,
  type TicketLookup,
} from '../../purchasing/refund-ticket/ticket-lookup.port';
import { isReadModelUnavailable } from '../read-model-errors';
import { GetTicketQuery } from './get-ticket.query';

/** Purchasing's TicketLookup, answered by the GetTicket query (the read model, then the ticket cache). */
@Injectable()
export class ReadModelTicketLookup implements TicketLookup {
  constructor(private readonly queryBus: QueryBus) {}

  async find(ticketId: string): Promise<KnownTicket | undefined> {
    try {
      return await this.queryBus.execute(new GetTicketQuery(ticketId));
    } catch (error) {
      if (isReadModelUnavailable(error))
        throw new TicketLookupUnavailableError('the read model is unavailable', { cause: error });
      throw error;
    }
  }
}

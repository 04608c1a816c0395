import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { PersistOutcome } from './persist-outcome';
import { PersistTicketsCommand } from './persist-ticket/persist-ticket.command';

/**
 * The process manager between the broker and the write store: TicketReserved events in, PersistTicketsCommand
 * out. A plain class rather than an rxjs `@Saga`: a saga stream gives the caller no result and no failure,
 * while the consumer must ack only after the durable write and must see an error to retry.
 */
@Injectable()
export class TicketWriteStoreSaga {
  constructor(private readonly commandBus: CommandBus) {}

  /** Resolves with one outcome per ticket, in input order; rejects on an infrastructure failure. */
  async onTicketsReserved(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]> {
    if (tickets.length === 0) return [];
    return this.commandBus.execute(new PersistTicketsCommand(tickets));
  }
}

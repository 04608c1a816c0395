import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PersistOutcome } from '../persist-outcome';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../ticket-write-store.port';
import { PersistTicketsCommand } from './persist-ticket.command';

@CommandHandler(PersistTicketsCommand)
export class PersistTicketsHandler implements ICommandHandler<PersistTicketsCommand, PersistOutcome[]> {
  constructor(@Inject(TICKET_WRITE_STORE) private readonly store: TicketWriteStore) {}

  execute(command: PersistTicketsCommand): Promise<PersistOutcome[]> {
    return this.store.persist(command.tickets);
  }
}

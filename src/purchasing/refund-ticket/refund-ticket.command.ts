import { Command } from '@nestjs/cqrs';
import type { RefundTicketOutcome } from './refund-ticket.outcome';

export class RefundTicketCommand extends Command<RefundTicketOutcome> {
  constructor(
    readonly ticketId: string,
    readonly reason?: string,
  ) {
    super();
  }
}

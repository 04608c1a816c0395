import { Inject, Optional } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { MikroORM } from '@mikro-orm/mysql';
import { READ_MODEL_ORM } from '../read-model-orm';
import { TICKET_VIEW_COLUMNS, toTicketView, type TicketView, type TicketViewRow } from '../ticket.view';
import { GetTicketQuery } from './get-ticket.query';
import { TicketCache } from './ticket-cache';

@QueryHandler(GetTicketQuery)
export class GetTicketHandler implements IQueryHandler<GetTicketQuery, TicketView | undefined> {
  constructor(
    @Inject(READ_MODEL_ORM) private readonly orm: MikroORM,
    @Optional() private readonly recentTickets?: TicketCache,
  ) {}

  async execute({ ticketId }: GetTicketQuery): Promise<TicketView | undefined> {
    const [row] = await this.orm.em
      .fork()
      .execute<TicketViewRow[]>(`select ${TICKET_VIEW_COLUMNS} from tickets where ticket_id = ?`, [ticketId]);
    if (row !== undefined) return toTicketView(row);
    // Not projected yet: a ticket bought moments ago is answered from the reservation's own record.
    return this.recentTickets?.find(ticketId);
  }
}

import type { TicketStatus } from './entities/ticket.entity';
import { fromSqlDateTime } from './sql-datetime';

/** A ticket as the read side answers it: the purchase response's shape, plus the reason of a cancellation. */
export interface TicketView {
  ticketId: string;
  venueId: string;
  eventId: string;
  zoneId: number;
  row: string;
  column: number;
  price: number;
  status: TicketStatus;
  createdOn: string;
  /** Present on CANCELLED tickets, and on REFUNDED ones refunded with a reason. */
  reason?: string;
  /** Present on REFUNDED tickets only. */
  refundedOn?: string;
}

export interface TicketViewRow {
  ticket_id: string;
  venue_id: string;
  event_id: string;
  zone_id: number;
  seat_row: string;
  seat_col: number;
  price: string | number;
  status: TicketStatus;
  reason: string | null;
  created_on: string | Date;
  refunded_on: string | Date | null;
}

export const TICKET_VIEW_COLUMNS =
  'ticket_id, venue_id, event_id, zone_id, seat_row, seat_col, price, status, reason, created_on, refunded_on';

export function toTicketView(row: TicketViewRow): TicketView {
  const view: TicketView = {
    ticketId: row.ticket_id,
    venueId: row.venue_id,
    eventId: row.event_id,
    zoneId: Number(row.zone_id),
    row: row.seat_row,
    column: Number(row.seat_col),
    // DECIMAL arrives as a string; prices are at most 1,000,000.00, exact as a double.
    price: Number(row.price),
    status: row.status,
    createdOn: fromSqlDateTime(row.created_on),
  };
  if (row.status === 'CANCELLED') view.reason = row.reason ?? 'CANCELLED';
  if (row.status === 'REFUNDED') {
    if (row.reason !== null) view.reason = row.reason;
    if (row.refunded_on !== null) view.refundedOn = fromSqlDateTime(row.refunded_on);
  }
  return view;
}

import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { PersistOutcome } from './persist-outcome';

export const TICKET_WRITE_STORE = Symbol('TICKET_WRITE_STORE');

/** The write model of one ticket, derived from its seat stream item (so rewriting it is idempotent). */
export interface TicketCreation extends TicketReservedData {
  readonly status: 'RESERVED' | 'CANCELLED';
  readonly reason?: string;
  readonly cancelledOn?: string;
}

/** One item of a seat stream. Version 1 is the seat's owner; every later version is a refused ticket. */
export type SeatEvent =
  | {
      readonly streamId: string;
      readonly version: number;
      readonly type: 'TicketReserved';
      readonly ticketId: string;
      readonly data: TicketReservedData;
      readonly recordedAt: string;
    }
  | {
      readonly streamId: string;
      readonly version: number;
      readonly type: 'TicketCancelled';
      readonly ticketId: string;
      readonly data: TicketCancelledData;
      readonly recordedAt: string;
    };

/** The event store of tickets: one stream per seat, and the ticket write model next to it. */
export interface TicketWriteStore {
  /** Creates the tables if missing and waits until they are ACTIVE; safe to call from every instance. */
  ensureTables(): Promise<void>;
  /** Persists a batch; one outcome per input, in input order. Throws only on infrastructure failures. */
  persist(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]>;
  /** Every TicketCreation of an event (paged Query on the eventId index; eventually consistent on AWS). */
  listEventTickets(eventId: string): Promise<TicketCreation[]>;
  /** The seat's stream in version order (strongly consistent). */
  readSeatStream(eventId: string, zoneId: number, row: string, column: number): Promise<SeatEvent[]>;
}

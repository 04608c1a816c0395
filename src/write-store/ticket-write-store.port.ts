import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketRefundedData } from '../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { PersistOutcome, RefundOutcome } from './persist-outcome';

export const TICKET_WRITE_STORE = Symbol('TICKET_WRITE_STORE');

/** The write model of one ticket, derived from its seat stream items (so rewriting it is idempotent). */
export interface TicketCreation extends TicketReservedData {
  readonly status: 'RESERVED' | 'CANCELLED' | 'REFUNDED';
  /** A cancellation's reason, or the operator's reason for a refund (optional there). */
  readonly reason?: string;
  readonly cancelledOn?: string;
  readonly refundedOn?: string;
}

/**
 * One item of a seat stream, at versions 1, 2, 3, ... A TicketReserved takes the free seat; a TicketCancelled
 * is a ticket refused because the seat had an owner; a TicketRefunded frees the seat of its owner, and a
 * later TicketReserved (another ticket) takes it again. See seat-stream.decider.ts.
 */
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
    }
  | {
      readonly streamId: string;
      readonly version: number;
      readonly type: 'TicketRefunded';
      readonly ticketId: string;
      readonly data: TicketRefundedData;
      readonly recordedAt: string;
    };

/**
 * Where the write store asks whether a ticket was refunded, when another ticket's reservation reaches a seat
 * the first still owns on its stream: the refund may simply not have arrived yet (messages can overtake
 * each other: two relays, two workers, a redelivery). Bound to the seat map's refund records in Redis, where
 * the refund freed the seat before the new reservation could take it.
 */
export interface RefundLedger {
  /** The refund of the ticket, or undefined when it was not refunded. Throws when it cannot tell. */
  find(ticket: Pick<TicketReservedData, 'ticketId' | 'eventId' | 'zoneId'>): Promise<TicketRefundedData | undefined>;
}

/** The event store of tickets: one stream per seat, and the ticket write model next to it. */
export interface TicketWriteStore {
  /** Creates the tables if missing and waits until they are ACTIVE; safe to call from every instance. */
  ensureTables(): Promise<void>;
  /**
   * Lets a reservation that finds its seat owned ask whether the owner was refunded (bound by the worker at
   * start-up, to the seat map's refund records). Without a ledger such a reservation is refused at once.
   */
  useRefundLedger(ledger: RefundLedger): void;
  /** Persists a batch; one outcome per input, in input order. Throws only on infrastructure failures. */
  persist(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]>;
  /** Records a batch of refunds on their seats' streams; one outcome per input, in input order. */
  persistRefunds(refunds: readonly TicketRefundedData[]): Promise<RefundOutcome[]>;
  /** Every TicketCreation of an event (paged Query on the eventId index; eventually consistent on AWS). */
  listEventTickets(eventId: string): Promise<TicketCreation[]>;
  /** The seat's stream in version order (strongly consistent). */
  readSeatStream(eventId: string, zoneId: number, row: string, column: number): Promise<SeatEvent[]>;
}

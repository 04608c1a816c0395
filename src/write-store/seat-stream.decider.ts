/*
 * The write store's decision, as pure functions over one seat's stream: who owns the seat, what an incoming
 * TicketReserved appends, and what each delivery of a ticket answers. No I/O: the adapter reads the stream,
 * asks `decide`, appends conditionally at the version decided and, when another writer got that version
 * first, reads the stream again and asks again.
 */
import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { PersistOutcome } from './persist-outcome';
import type { SeatEvent, TicketCreation } from './ticket-write-store.port';

export const seatStreamId = (eventId: string, zoneId: number, row: string, column: number): string =>
  `${eventId}#${zoneId}#${row}#${column}`;

export const seatAlreadySold = (ownerTicketId: string): string => `SEAT_ALREADY_SOLD:${ownerTicketId}`;

/** A seat as its stream tells it. Items never change, so this only grows. */
export interface SeatState {
  readonly streamId: string;
  /** The ticket at version 1: the first append wins the seat. */
  readonly owner: string | undefined;
  /** The last version on the stream; the next append goes at version + 1. */
  readonly version: number;
  /** Every ticket on the stream, by id: a stream holds each ticket at most once. */
  readonly tickets: ReadonlyMap<string, SeatEvent>;
}

export const emptySeat = (streamId: string): SeatState => ({
  streamId,
  owner: undefined,
  version: 0,
  tickets: new Map(),
});

export function evolve(state: SeatState, event: SeatEvent): SeatState {
  return {
    streamId: state.streamId,
    owner: state.owner ?? event.ticketId,
    version: event.version,
    tickets: new Map(state.tickets).set(event.ticketId, event),
  };
}

/** The seat's state after the stream as read, in version order. */
export const seatOf = (streamId: string, stream: readonly SeatEvent[]): SeatState =>
  stream.reduce(evolve, emptySeat(streamId));

export type SeatDecision =
  /** The ticket is on the stream already (a redelivery, or an earlier attempt whose append landed). */
  | { readonly decision: 'ALREADY_ON_STREAM'; readonly event: SeatEvent }
  /** The seat is free: the ticket takes version 1 as its owner. */
  | { readonly decision: 'APPEND_AS_OWNER'; readonly event: SeatEvent }
  /** The seat has an owner: the ticket is recorded as refused at the next version. */
  | { readonly decision: 'APPEND_AS_REFUSED'; readonly event: SeatEvent };

/** What a TicketReserved does to its seat's stream; `now` stamps a new item (and a refusal's cancelledOn). */
export function decide(state: SeatState, ticket: TicketReservedData, now: string): SeatDecision {
  const mine = state.tickets.get(ticket.ticketId);
  if (mine !== undefined) return { decision: 'ALREADY_ON_STREAM', event: mine };
  const { streamId } = state;
  if (state.owner === undefined) {
    return {
      decision: 'APPEND_AS_OWNER',
      event: { streamId, version: 1, type: 'TicketReserved', ticketId: ticket.ticketId, data: ticket, recordedAt: now },
    };
  }
  const cancelled: TicketCancelledData = { ...ticket, reason: seatAlreadySold(state.owner), cancelledOn: now };
  return {
    decision: 'APPEND_AS_REFUSED',
    event: {
      streamId,
      version: state.version + 1,
      type: 'TicketCancelled',
      ticketId: ticket.ticketId,
      data: cancelled,
      recordedAt: now,
    },
  };
}

/**
 * The answer of the call that appended the ticket, or that found it on the stream without its TicketCreation
 * (a crash between the two writes): that call is the one that reports it.
 */
export function outcomeOf(event: SeatEvent): PersistOutcome {
  return event.type === 'TicketReserved'
    ? { ticketId: event.ticketId, status: 'STORED' }
    : { ticketId: event.ticketId, status: 'CANCELLED', reason: event.data.reason, cancelled: event.data };
}

/**
 * The answer to a ticket whose TicketCreation is already written: its owner was reported, so DUPLICATE; a
 * refused ticket is CANCELLED on every delivery, since the batch that first refused it may have died before
 * its TicketCancelled reached the broker, and downstream applies it idempotently.
 */
export function redeliveryOutcomeOf(creation: TicketCreation): PersistOutcome {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = creation;
  if (creation.status !== 'CANCELLED') return { ticketId, status: 'DUPLICATE' };
  const reason = creation.reason ?? 'CANCELLED';
  const cancelled = { ticketId, venueId, eventId, zoneId, row, column, price, createdOn, reason };
  return {
    ticketId,
    status: 'CANCELLED',
    reason,
    cancelled: { ...cancelled, cancelledOn: creation.cancelledOn ?? createdOn },
  };
}

/** The ticket's write model: a pure function of its stream item, so rewriting it is idempotent. */
export function creationOf(event: SeatEvent): TicketCreation {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = event.data;
  const ticket = { ticketId, venueId, eventId, zoneId, row, column, price, createdOn };
  return event.type === 'TicketReserved'
    ? { ...ticket, status: 'RESERVED' }
    : { ...ticket, status: 'CANCELLED', reason: event.data.reason, cancelledOn: event.data.cancelledOn };
}

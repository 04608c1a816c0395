/*
 * The write store's decision, as pure functions over one seat's stream: who owns the seat, what an incoming
 * TicketReserved or TicketRefunded appends, and what each delivery of a ticket answers. A seat's history is
 * reserved -> refunded -> reserved (another ticket) -> ...; the append at the expected version wins. No I/O: the adapter reads the stream,
 * asks `decide`, appends conditionally at the version decided and, when another writer got that version
 * first, reads the stream again and asks again.
 */
import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketRefundedData } from '../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { PersistOutcome } from './persist-outcome';
import type { SeatEvent, TicketCreation } from './ticket-write-store.port';

export const seatStreamId = (eventId: string, zoneId: number, row: string, column: number): string =>
  `${eventId}#${zoneId}#${row}#${column}`;

export const seatAlreadySold = (ownerTicketId: string): string => `SEAT_ALREADY_SOLD:${ownerTicketId}`;

/** A seat as its stream tells it. Items never change, so this only grows. */
export interface SeatState {
  readonly streamId: string;
  /**
   * The ticket holding the seat now: set by a TicketReserved (only ever appended on a free seat), cleared by
   * the TicketRefunded of that ticket. The append at the expected version wins: a refund is not a conflict.
   */
  readonly owner: string | undefined;
  /** The last version on the stream; the next append goes at version + 1. */
  readonly version: number;
  /** Each ticket's reservation or refusal, by id: a stream holds each ticket's reservation at most once. */
  readonly tickets: ReadonlyMap<string, SeatEvent>;
  /** Each ticket's refund, by id: at most once per ticket. */
  readonly refunds: ReadonlyMap<string, SeatEvent>;
}

export const emptySeat = (streamId: string): SeatState => ({
  streamId,
  owner: undefined,
  version: 0,
  tickets: new Map(),
  refunds: new Map(),
});

export function evolve(state: SeatState, event: SeatEvent): SeatState {
  const { streamId } = state;
  switch (event.type) {
    case 'TicketReserved':
      return {
        streamId,
        owner: state.owner ?? event.ticketId,
        version: event.version,
        tickets: new Map(state.tickets).set(event.ticketId, event),
        refunds: state.refunds,
      };
    case 'TicketCancelled':
      return { ...state, version: event.version, tickets: new Map(state.tickets).set(event.ticketId, event) };
    case 'TicketRefunded':
      return {
        streamId,
        owner: state.owner === event.ticketId ? undefined : state.owner,
        version: event.version,
        tickets: state.tickets,
        refunds: new Map(state.refunds).set(event.ticketId, event),
      };
  }
}

/** The seat's state after the stream as read, in version order. */
export const seatOf = (streamId: string, stream: readonly SeatEvent[]): SeatState =>
  stream.reduce(evolve, emptySeat(streamId));

/**
 * What the write store learnt of the refunds of owners that block a reservation (see RefundLedger): a
 * ticket id maps to its refund, or to null when it was not refunded. An owner missing from it is asked about.
 */
export type KnownRefunds = ReadonlyMap<string, TicketRefundedData | null>;

export type SeatDecision =
  /** The ticket is on the stream already (a redelivery, or an earlier attempt whose append landed). */
  | { readonly decision: 'ALREADY_ON_STREAM'; readonly event: SeatEvent }
  /** The seat is free: the ticket takes it at the next version. */
  | { readonly decision: 'APPEND_AS_OWNER'; readonly event: SeatEvent }
  /** The seat has an owner that was not refunded: the ticket is recorded as refused at the next version. */
  | { readonly decision: 'APPEND_AS_REFUSED'; readonly event: SeatEvent }
  /**
   * A refund the ledger knows and the stream does not have yet: the owner's (the seat was refunded before
   * this ticket bought it), appended first so the history keeps the order Redis decided; or this ticket's
   * own, right after its late reservation. Then the ticket is decided again.
   */
  | { readonly decision: 'APPEND_OWNER_REFUND'; readonly event: SeatEvent }
  /**
   * The seat's owner was not refunded, but this ticket was (it held the seat before the owner): its
   * reservation is recorded without taking the seat, and its refund follows (APPEND_OWNER_REFUND).
   */
  | { readonly decision: 'APPEND_REFUNDED_LATE'; readonly event: SeatEvent }
  /** The caller has not asked the refund ledger about this ticket yet: ask, then decide again. */
  | { readonly decision: 'LOOK_UP_REFUND'; readonly ticketId: string };

/** A decision that names an item (every one but LOOK_UP_REFUND). */
export type SeatAppendDecision = Exclude<SeatDecision, { readonly decision: 'LOOK_UP_REFUND' }>;

/**
 * What a TicketReserved does to its seat's stream; `now` stamps a new item (and a refusal's cancelledOn).
 * Without `refunds` (no ledger), an owned seat refuses the ticket at once.
 */
export function decide(state: SeatState, ticket: TicketReservedData, now: string): SeatAppendDecision;
export function decide(state: SeatState, ticket: TicketReservedData, now: string, refunds: KnownRefunds): SeatDecision;
export function decide(
  state: SeatState,
  ticket: TicketReservedData,
  now: string,
  refunds?: KnownRefunds,
): SeatDecision {
  const { streamId, owner } = state;
  const version = state.version + 1;
  const refundEvent = (data: TicketRefundedData): SeatEvent => ({
    streamId,
    version,
    type: 'TicketRefunded',
    ticketId: data.ticketId,
    data,
    recordedAt: now,
  });
  const mine = state.tickets.get(ticket.ticketId);
  if (mine !== undefined) {
    // A late reservation recorded below is followed by its refund at once, so the ticket is never live twice.
    const ownRefund = refunds?.get(ticket.ticketId);
    if (mine.type === 'TicketReserved' && owner !== ticket.ticketId && ownRefund && !state.refunds.has(ticket.ticketId))
      return { decision: 'APPEND_OWNER_REFUND', event: refundEvent(ownRefund) };
    // Also after the ticket's refund: a stale redelivery of the reservation never takes the seat back.
    return { decision: 'ALREADY_ON_STREAM', event: mine };
  }
  const reserved: SeatEvent = {
    streamId,
    version,
    type: 'TicketReserved',
    ticketId: ticket.ticketId,
    data: ticket,
    recordedAt: now,
  };
  if (owner === undefined) return { decision: 'APPEND_AS_OWNER', event: reserved };
  if (refunds !== undefined) {
    const ownerRefund = refunds.get(owner);
    if (ownerRefund === undefined) return { decision: 'LOOK_UP_REFUND', ticketId: owner };
    if (ownerRefund !== null) return { decision: 'APPEND_OWNER_REFUND', event: refundEvent(ownerRefund) };
    // The owner was not refunded, yet this ticket may have been: sold and refunded before the owner bought
    // the seat, its messages overtaken by the owner's. Recorded in its place in history, then its refund.
    const ownRefund = refunds.get(ticket.ticketId);
    if (ownRefund === undefined) return { decision: 'LOOK_UP_REFUND', ticketId: ticket.ticketId };
    if (ownRefund !== null) return { decision: 'APPEND_REFUNDED_LATE', event: reserved };
  }
  const cancelled: TicketCancelledData = { ...ticket, reason: seatAlreadySold(owner), cancelledOn: now };
  return {
    decision: 'APPEND_AS_REFUSED',
    event: { streamId, version, type: 'TicketCancelled', ticketId: ticket.ticketId, data: cancelled, recordedAt: now },
  };
}

export type RefundDecision =
  /** The refund is on the stream already: a redelivery, or the ledger put it there for a new reservation. */
  | { readonly decision: 'ALREADY_ON_STREAM'; readonly event: SeatEvent }
  /** The ticket's reservation is on the stream: the refund frees its seat at the next version. */
  | { readonly decision: 'APPEND_REFUND'; readonly event: SeatEvent }
  /**
   * The refund overtook its reservation: the reservation (which the refund carries) is decided first, as if
   * it had arrived, then the refund again. Its own delivery later finds it on the stream.
   */
  | { readonly decision: 'RESERVE_FIRST'; readonly ticket: TicketReservedData }
  /** The ticket never owned the seat (it was refused): nothing to append, it stays cancelled. */
  | { readonly decision: 'IGNORED'; readonly reason: string };

/** The reservation a refund carries. */
export function reservationOf(refund: TicketRefundedData): TicketReservedData {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = refund;
  return { ticketId, venueId, eventId, zoneId, row, column, price, createdOn };
}

/** What a TicketRefunded does to its seat's stream. */
export function decideRefund(state: SeatState, refund: TicketRefundedData, now: string): RefundDecision {
  const recorded = state.refunds.get(refund.ticketId);
  if (recorded !== undefined) return { decision: 'ALREADY_ON_STREAM', event: recorded };
  const reservation = state.tickets.get(refund.ticketId);
  if (reservation === undefined) return { decision: 'RESERVE_FIRST', ticket: reservationOf(refund) };
  if (reservation.type === 'TicketCancelled') return { decision: 'IGNORED', reason: reservation.data.reason };
  // Usually the owner; a late reservation (APPEND_REFUNDED_LATE) is not, and its refund leaves the owner be.
  return {
    decision: 'APPEND_REFUND',
    event: {
      streamId: state.streamId,
      version: state.version + 1,
      type: 'TicketRefunded',
      ticketId: refund.ticketId,
      data: refund,
      recordedAt: now,
    },
  };
}

/**
 * The answer of the call that appended the ticket, or that found it on the stream without its TicketCreation
 * (a crash between the two writes): that call is the one that reports it.
 */
export function outcomeOf(event: SeatEvent): PersistOutcome {
  switch (event.type) {
    case 'TicketReserved':
      return { ticketId: event.ticketId, status: 'STORED' };
    case 'TicketCancelled':
      return { ticketId: event.ticketId, status: 'CANCELLED', reason: event.data.reason, cancelled: event.data };
    case 'TicketRefunded':
      // Not a reservation's own item; its reservation was reported when it was appended.
      return { ticketId: event.ticketId, status: 'DUPLICATE' };
  }
}

/**
 * The answer to a ticket whose TicketCreation is already written: its owner was reported, so DUPLICATE; a
 * refused ticket is CANCELLED on every delivery, since the batch that first refused it may have died before
 * its TicketCancelled reached the broker, and downstream applies it idempotently.
 */
export function redeliveryOutcomeOf(creation: TicketCreation): PersistOutcome {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = creation;
  // A refunded ticket owned its seat first, and that was reported: DUPLICATE too.
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

/**
 * The ticket's write model: a pure function of its stream items (its reservation or refusal, and its refund
 * once there is one), so rewriting it is idempotent.
 */
export function creationOf(event: SeatEvent, refund?: SeatEvent): TicketCreation {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = event.data;
  const ticket = { ticketId, venueId, eventId, zoneId, row, column, price, createdOn };
  const refunded = event.type === 'TicketRefunded' ? event : refund?.type === 'TicketRefunded' ? refund : undefined;
  if (event.type === 'TicketCancelled') {
    return { ...ticket, status: 'CANCELLED', reason: event.data.reason, cancelledOn: event.data.cancelledOn };
  }
  if (refunded !== undefined) {
    const { reason, refundedOn } = refunded.data;
    return { ...ticket, status: 'REFUNDED', refundedOn, ...(reason !== undefined && { reason }) };
  }
  return { ...ticket, status: 'RESERVED' };
}

/** The ticket's write model as the seat's stream tells it; undefined when the ticket is not on it. */
export function creationOnSeat(seat: SeatState, ticketId: string): TicketCreation | undefined {
  const event = seat.tickets.get(ticketId);
  return event === undefined ? undefined : creationOf(event, seat.refunds.get(ticketId));
}

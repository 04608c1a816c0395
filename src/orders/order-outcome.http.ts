import type { ErrorBody } from '../platform/http/error-body';
import type { HeldSeat, HoldRecord } from '../purchasing/seat-map/redis-seat-holds';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { OrderOutcome } from './order-outcome';

export interface HoldSeatResponse {
  readonly zoneId: number;
  readonly row: string;
  readonly column: number;
}

/** 201 of POST /holds. */
export interface PlacedHoldResponse {
  readonly holdId: string;
  readonly status: 'held';
  readonly eventId: string;
  readonly buyerId: string;
  readonly seats: HoldSeatResponse[];
  readonly total: number;
  readonly expiresAt: string;
}

/** 200 of GET /holds/:holdId and of a confirm (which adds the tickets themselves). */
export interface HoldResponse {
  readonly holdId: string;
  readonly status: 'held' | 'confirmed';
  readonly eventId: string;
  readonly buyerId: string;
  readonly seats: HoldSeatResponse[];
  readonly expiresAt: string;
  readonly ticketIds?: string[];
  readonly tickets?: TicketReservedData[];
}

export type HoldErrorBody = ErrorBody & { readonly seat?: HoldSeatResponse };

export type OrderHttpResponse =
  | { readonly status: number; readonly body: HoldErrorBody | PlacedHoldResponse | HoldResponse }
  | { readonly status: 204 };

const seatsOf = (zoneId: number, seats: readonly HeldSeat[]): HoldSeatResponse[] =>
  seats.map((seat) => ({ zoneId, row: seat.row, column: seat.column }));

const holdResponse = (hold: HoldRecord, tickets: TicketReservedData[] | undefined, withTickets: boolean) => ({
  holdId: hold.holdId,
  status: hold.status,
  eventId: hold.eventId,
  buyerId: hold.buyerId,
  seats: seatsOf(hold.zoneId, hold.seats),
  expiresAt: new Date(hold.expiresAt).toISOString(),
  ...(tickets !== undefined && { ticketIds: tickets.map((ticket) => ticket.ticketId) }),
  ...(withTickets && tickets !== undefined && { tickets }),
});

const parseTickets = (json: string | undefined): TicketReservedData[] | undefined =>
  json === undefined ? undefined : (JSON.parse(json) as TicketReservedData[]);

/** The single place a hold outcome becomes an HTTP status; `never` keeps it exhaustive. */
export function orderOutcomeToHttp(outcome: OrderOutcome): OrderHttpResponse {
  switch (outcome.kind) {
    case 'HELD':
      return {
        status: 201,
        body: {
          holdId: outcome.holdId,
          status: 'held',
          eventId: outcome.eventId,
          buyerId: outcome.buyerId,
          seats: seatsOf(outcome.zoneId, outcome.seats),
          total: outcome.total,
          expiresAt: new Date(outcome.expiresAt).toISOString(),
        },
      };
    case 'SEAT_TAKEN':
      return { status: 409, body: seatError('SEAT_TAKEN', 'the seat is taken', outcome.zoneId, outcome.seat) };
    case 'ROW_SOLD_OUT':
      return {
        status: 409,
        body: seatError('ROW_SOLD_OUT', 'every seat of this row is taken', outcome.zoneId, outcome.seat),
      };
    case 'DUPLICATE_SEAT':
      return {
        status: 400,
        body: seatError('DUPLICATE_SEAT', 'the seat is listed twice', outcome.zoneId, outcome.seat),
      };
    case 'ZONE_SOLD_OUT':
      return { status: 409, body: { error: 'ZONE_SOLD_OUT', message: 'every seat of this zone is taken' } };
    case 'NOT_ENOUGH_ADJACENT':
      return {
        status: 409,
        body: { error: 'NOT_ENOUGH_ADJACENT', message: 'no row of this zone has that many adjacent free seats' },
      };
    case 'BUYER_LIMIT':
      return {
        status: 409,
        body: {
          error: 'BUYER_LIMIT',
          message: `the buyer holds or owns ${outcome.held} seats of this event; the limit is ${outcome.limit}`,
        },
      };
    case 'NOT_FOUND':
      return { status: 404, body: { error: 'NOT_FOUND', message: outcome.message } };
    case 'SALE_UNAVAILABLE':
      return { status: 503, body: { error: 'UNAVAILABLE', message: outcome.message } };
    case 'CONFIRMED':
      return { status: 200, body: holdResponse(outcome.hold, parseTickets(outcome.tickets), true) };
    case 'HOLD_FOUND':
      return { status: 200, body: holdResponse(outcome.hold, parseTickets(outcome.hold.tickets), false) };
    case 'CANCELLED':
      return { status: 204 };
    case 'HOLD_NOT_FOUND':
      return { status: 404, body: { error: 'HOLD_NOT_FOUND', message: 'no such hold: unknown, released or expired' } };
    case 'HOLD_EXPIRED':
      return { status: 409, body: { error: 'HOLD_EXPIRED', message: 'the hold expired; its seats are back on sale' } };
    case 'HOLD_LOST':
      return {
        status: 409,
        body: {
          error: 'HOLD_LOST',
          message: "the zone's seat map was restored since the hold was made; its seats are no longer held",
        },
      };
    case 'HOLD_CONFIRMED':
      return {
        status: 409,
        body: { error: 'HOLD_CONFIRMED', message: 'the hold is confirmed: its seats are sold, not held' },
      };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unmapped hold outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

function seatError(error: string, message: string, zoneId: number, seat: HeldSeat): HoldErrorBody {
  return { error, message, seat: { zoneId, row: seat.row, column: seat.column } };
}

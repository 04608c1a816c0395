import type { ErrorBody } from '../../platform/http/error-body';
import type { PurchaseOutcome } from '../purchase-outcome';
import type { TicketReservedData } from '../ticket-reserved.event';

export interface TicketResponse extends TicketReservedData {
  readonly status: 'RESERVED';
}

// Half of a rush is refused: the same three bodies every time, built once.
const SEAT_TAKEN: ErrorBody = { error: 'SEAT_TAKEN', message: 'the seat is taken' };
const ROW_SOLD_OUT: ErrorBody = { error: 'ROW_SOLD_OUT', message: 'every seat of this row is taken' };
const ZONE_SOLD_OUT: ErrorBody = { error: 'ZONE_SOLD_OUT', message: 'every seat of this zone is taken' };

/**
 * A ticket's 201 body, a TicketResponse, as JSON text: the ticket's own JSON (the outbox payload) with the
 * status appended, so a purchase serialises its ticket once.
 */
const ticketResponseJson = (ticketJson: string): string => `${ticketJson.slice(0, -1)},"status":"RESERVED"}`;

/** A response: an error body for Fastify to serialise, or JSON text sent as it is. */
export type PurchaseHttpResponse = { status: number; body: ErrorBody } | { status: 201; json: string };

/** The single place a purchase outcome becomes an HTTP status; `never` keeps it exhaustive. */
export function purchaseOutcomeToHttp(outcome: PurchaseOutcome): PurchaseHttpResponse {
  switch (outcome.kind) {
    case 'RESERVED':
      return { status: 201, json: ticketResponseJson(outcome.json) };
    case 'SEAT_TAKEN':
      return { status: 409, body: SEAT_TAKEN };
    case 'ROW_SOLD_OUT':
      return { status: 409, body: ROW_SOLD_OUT };
    case 'ZONE_SOLD_OUT':
      return { status: 409, body: ZONE_SOLD_OUT };
    case 'NOT_FOUND':
      return { status: 404, body: { error: 'NOT_FOUND', message: outcome.message } };
    case 'SALE_UNAVAILABLE':
      return { status: 503, body: { error: 'UNAVAILABLE', message: outcome.message } };
    case 'IDEMPOTENCY_KEY_REUSED':
      return {
        status: 422,
        body: { error: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used with a different request' },
      };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unmapped purchase outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

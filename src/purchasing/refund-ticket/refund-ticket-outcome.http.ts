import type { ErrorBody } from '../../platform/http/error-body';
import type { TicketRefundedData } from '../ticket-refunded.event';
import type { RefundTicketOutcome } from './refund-ticket.outcome';

export interface RefundedTicketResponse extends TicketRefundedData {
  readonly status: 'REFUNDED';
}

export type RefundHttpResponse =
  { status: 200; body: RefundedTicketResponse } | { status: 404 | 409 | 503; body: ErrorBody };

/** The single place a refund outcome becomes an HTTP status; `never` keeps it exhaustive. */
export function refundOutcomeToHttp(outcome: RefundTicketOutcome): RefundHttpResponse {
  switch (outcome.kind) {
    case 'REFUNDED':
      return { status: 200, body: { ...outcome.ticket, status: 'REFUNDED' } };
    case 'NOT_FOUND':
      return { status: 404, body: { error: 'NOT_FOUND', message: outcome.message } };
    case 'ALREADY_REFUNDED':
      return {
        status: 409,
        body: { error: 'ALREADY_REFUNDED', message: `the ticket was refunded on ${outcome.refundedOn}` },
      };
    case 'TICKET_CANCELLED':
      return { status: 409, body: { error: 'TICKET_CANCELLED', message: 'a cancelled ticket cannot be refunded' } };
    case 'SALE_UNAVAILABLE':
      return { status: 503, body: { error: 'UNAVAILABLE', message: outcome.message } };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unmapped refund outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

import { refundOutcomeToHttp } from '../../src/purchasing/refund-ticket/refund-ticket-outcome.http';
import type { RefundTicketOutcome } from '../../src/purchasing/refund-ticket/refund-ticket.outcome';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';

const refund: TicketRefundedData = {
  ticketId: 't1',
  venueId: 'Arena',
  eventId: 'E1',
  zoneId: 1,
  row: 'A',
  column: 2,
  price: 100,
  createdOn: '2030-01-01T10:00:00.000Z',
  refundedOn: '2030-01-02T10:00:00.000Z',
  reason: 'customer request',
};

describe('the refund outcome -> HTTP mapping', () => {
  it('answers 200 with the refunded ticket, status REFUNDED', () => {
    expect(refundOutcomeToHttp({ kind: 'REFUNDED', ticket: refund })).toEqual({
      status: 200,
      body: { ...refund, status: 'REFUNDED' },
    });
  });

  it.each<[RefundTicketOutcome, number, string]>([
    [{ kind: 'NOT_FOUND', message: 'ticket t1 not found' }, 404, 'NOT_FOUND'],
    [{ kind: 'ALREADY_REFUNDED', refundedOn: refund.refundedOn }, 409, 'ALREADY_REFUNDED'],
    [{ kind: 'TICKET_CANCELLED' }, 409, 'TICKET_CANCELLED'],
    [{ kind: 'SALE_UNAVAILABLE', message: 'being restored' }, 503, 'UNAVAILABLE'],
  ])('maps %j to %i %s', (outcome, status, error) => {
    const response = refundOutcomeToHttp(outcome);
    expect(response.status).toBe(status);
    expect(response.body).toEqual(expect.objectContaining({ error, message: expect.any(String) }));
  });
});

import { purchaseOutcomeToHttp } from '../../src/purchasing/purchase-seat/purchase-outcome.http';
import { reservedTicket } from '../support/tickets';

describe('purchase outcome to HTTP', () => {
  const ticket = reservedTicket('E', { ticketId: 't', venueId: 'V', price: 20, createdOn: '2026-01-01T00:00:00.000Z' });

  it('maps every outcome to its status and error code', () => {
    const created = purchaseOutcomeToHttp({ kind: 'RESERVED', ticket, json: JSON.stringify(ticket), replayed: false });
    expect(created).toEqual({ status: 201, json: expect.any(String) });
    // The ticket's own JSON with the status appended: the TicketResponse, keys in the same order.
    expect('json' in created && JSON.parse(created.json)).toEqual({ ...ticket, status: 'RESERVED' });
    expect('json' in created && Object.keys(JSON.parse(created.json))).toEqual([...Object.keys(ticket), 'status']);
    expect(purchaseOutcomeToHttp({ kind: 'SEAT_TAKEN' })).toMatchObject({ status: 409, body: { error: 'SEAT_TAKEN' } });
    expect(purchaseOutcomeToHttp({ kind: 'ROW_SOLD_OUT' })).toMatchObject({
      status: 409,
      body: { error: 'ROW_SOLD_OUT' },
    });
    expect(purchaseOutcomeToHttp({ kind: 'ZONE_SOLD_OUT' })).toMatchObject({
      status: 409,
      body: { error: 'ZONE_SOLD_OUT' },
    });
    expect(purchaseOutcomeToHttp({ kind: 'NOT_FOUND', message: 'm' })).toEqual({
      status: 404,
      body: { error: 'NOT_FOUND', message: 'm' },
    });
    expect(purchaseOutcomeToHttp({ kind: 'IDEMPOTENCY_KEY_REUSED' })).toMatchObject({ status: 422 });
    expect(purchaseOutcomeToHttp({ kind: 'SALE_UNAVAILABLE', message: 'm' })).toEqual({
      status: 503,
      body: { error: 'UNAVAILABLE', message: 'm' },
    });
  });
});

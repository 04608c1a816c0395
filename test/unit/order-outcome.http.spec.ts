import type { OrderOutcome } from '../../src/orders/order-outcome';
import { orderOutcomeToHttp } from '../../src/orders/order-outcome.http';
import type { HoldRecord } from '../../src/purchasing/seat-map/redis-seat-holds';
import { reservedTicket } from '../support/tickets';

describe('hold outcome to HTTP', () => {
  const expiresAt = Date.parse('2027-01-01T20:10:00.000Z');
  const seat = { row: 'C', column: 4 };
  const hold: HoldRecord = {
    holdId: 'h',
    buyerId: 'b',
    eventId: 'E',
    zoneId: 2,
    seats: [seat, { row: 'C', column: 5 }],
    expiresAt,
    status: 'held',
  };
  const tickets = hold.seats.map((s, i) => ({
    ...reservedTicket('E', { ticketId: `t${i}`, zoneId: 2, ...s }),
    buyerId: 'b',
  }));
  const heldBody = {
    holdId: 'h',
    status: 'held',
    eventId: 'E',
    buyerId: 'b',
    seats: [
      { zoneId: 2, row: 'C', column: 4 },
      { zoneId: 2, row: 'C', column: 5 },
    ],
    expiresAt: '2027-01-01T20:10:00.000Z',
  };

  it('answers a placed hold 201 with its seats in their zone, the total and expiresAt as an ISO instant', () => {
    expect(
      orderOutcomeToHttp({
        kind: 'HELD',
        holdId: 'h',
        eventId: 'E',
        zoneId: 2,
        buyerId: 'b',
        seats: hold.seats,
        total: 90,
        expiresAt,
      }),
    ).toEqual({ status: 201, body: { ...heldBody, total: 90 } });
  });

  it('answers a confirm 200 with the tickets and their ids; a lookup with the ids only', () => {
    const json = JSON.stringify(tickets);
    const confirmed = { ...hold, status: 'confirmed' as const, tickets: json };
    expect(orderOutcomeToHttp({ kind: 'CONFIRMED', hold: confirmed, tickets: json })).toEqual({
      status: 200,
      body: { ...heldBody, status: 'confirmed', ticketIds: ['t0', 't1'], tickets },
    });
    expect(orderOutcomeToHttp({ kind: 'HOLD_FOUND', hold: confirmed })).toEqual({
      status: 200,
      body: { ...heldBody, status: 'confirmed', ticketIds: ['t0', 't1'] },
    });
    expect(orderOutcomeToHttp({ kind: 'HOLD_FOUND', hold })).toEqual({ status: 200, body: heldBody });
  });

  it('maps every refusal to its status and error code, naming the seat where there is one', () => {
    const cases: [OrderOutcome, number, string][] = [
      [{ kind: 'SEAT_TAKEN', zoneId: 2, seat }, 409, 'SEAT_TAKEN'],
      [{ kind: 'ROW_SOLD_OUT', zoneId: 2, seat }, 409, 'ROW_SOLD_OUT'],
      [{ kind: 'DUPLICATE_SEAT', zoneId: 2, seat }, 400, 'DUPLICATE_SEAT'],
      [{ kind: 'ZONE_SOLD_OUT' }, 409, 'ZONE_SOLD_OUT'],
      [{ kind: 'NOT_ENOUGH_ADJACENT' }, 409, 'NOT_ENOUGH_ADJACENT'],
      [{ kind: 'BUYER_LIMIT', held: 8, limit: 8 }, 409, 'BUYER_LIMIT'],
      [{ kind: 'NOT_FOUND', message: 'm' }, 404, 'NOT_FOUND'],
      [{ kind: 'SALE_UNAVAILABLE', message: 'm' }, 503, 'UNAVAILABLE'],
      [{ kind: 'HOLD_NOT_FOUND' }, 404, 'HOLD_NOT_FOUND'],
      [{ kind: 'HOLD_EXPIRED' }, 409, 'HOLD_EXPIRED'],
      [{ kind: 'HOLD_LOST' }, 409, 'HOLD_LOST'],
      [{ kind: 'HOLD_CONFIRMED' }, 409, 'HOLD_CONFIRMED'],
    ];
    for (const [outcome, status, error] of cases) {
      expect({ kind: outcome.kind, response: orderOutcomeToHttp(outcome) }).toMatchObject({
        kind: outcome.kind,
        response: { status, body: { error } },
      });
    }
    expect(orderOutcomeToHttp({ kind: 'SEAT_TAKEN', zoneId: 2, seat })).toMatchObject({
      body: { seat: { zoneId: 2, row: 'C', column: 4 } },
    });
  });

  it('answers a cancel 204 with no body', () => {
    expect(orderOutcomeToHttp({ kind: 'CANCELLED' })).toEqual({ status: 204 });
  });
});

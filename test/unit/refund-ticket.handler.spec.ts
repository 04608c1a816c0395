import { EventBus } from '@nestjs/cqrs';
import { RefundTicketCommand } from '../../src/purchasing/refund-ticket/refund-ticket.command';
import { RefundTicketHandler } from '../../src/purchasing/refund-ticket/refund-ticket.handler';
import type { KnownTicket, TicketLookup } from '../../src/purchasing/refund-ticket/ticket-lookup.port';
import type { RedisSeatRefunds, SeatRefundResult } from '../../src/purchasing/seat-map/redis-seat-refunds';
import type { SeatRebuildRequests } from '../../src/purchasing/seat-map/seat-rebuild.requests';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';

const ticket = {
  ticketId: 't1',
  venueId: 'Arena',
  eventId: 'E1',
  zoneId: 2,
  row: 'C',
  column: 7,
  price: 40,
  createdOn: '2030-01-01T10:00:00.000Z',
};
const reserved: KnownTicket = { ...ticket, status: 'RESERVED' };

/** The handler with the read side answering `known`, and the refund script answering `script`. */
function given(known: KnownTicket | undefined, script: SeatRefundResult = { code: 'REFUNDED', seatFreed: true }) {
  const scriptCalls: TicketRefundedData[] = [];
  const rebuilds: string[] = [];
  const published: unknown[] = [];
  const lookup: TicketLookup = { find: () => Promise.resolve(known) };
  const refunds = {
    refund: (refund: TicketRefundedData) => {
      scriptCalls.push(refund);
      return Promise.resolve(script);
    },
  } as unknown as RedisSeatRefunds;
  const rebuild = { request: (eventId: string) => rebuilds.push(eventId) } as unknown as SeatRebuildRequests;
  const bus = { publish: (event: unknown) => published.push(event) } as unknown as EventBus;
  const handler = new RefundTicketHandler(lookup, refunds, rebuild, bus);
  return { handler, scriptCalls, rebuilds, published };
}

describe('RefundTicketHandler', () => {
  it('refunds a reserved ticket through the script: the whole reservation, the time and the reason', async () => {
    const { handler, scriptCalls, published } = given(reserved);

    const outcome = await handler.execute(new RefundTicketCommand('t1', 'customer request'));

    expect(outcome).toEqual({
      kind: 'REFUNDED',
      ticket: { ...ticket, refundedOn: expect.any(String), reason: 'customer request' },
    });
    expect(scriptCalls).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('answers NOT_FOUND for a ticket the read side does not know, without running the script', async () => {
    const { handler, scriptCalls } = given(undefined);
    expect(await handler.execute(new RefundTicketCommand('t9'))).toEqual({
      kind: 'NOT_FOUND',
      message: 'ticket t9 not found',
    });
    expect(scriptCalls).toHaveLength(0);
  });

  it('refuses a cancelled ticket with TICKET_CANCELLED: it never held its seat', async () => {
    const { handler, scriptCalls } = given({ ...reserved, status: 'CANCELLED' });
    expect(await handler.execute(new RefundTicketCommand('t1'))).toEqual({ kind: 'TICKET_CANCELLED' });
    expect(scriptCalls).toHaveLength(0);
  });

  it('refuses a ticket the read model has REFUNDED even if Redis lost its refund record', async () => {
    const refundedOn = '2030-01-02T10:00:00.000Z';
    const { handler, scriptCalls } = given({ ...reserved, status: 'REFUNDED', refundedOn });
    expect(await handler.execute(new RefundTicketCommand('t1'))).toEqual({ kind: 'ALREADY_REFUNDED', refundedOn });
    expect(scriptCalls).toHaveLength(0);
  });

  it('answers ALREADY_REFUNDED with the first refund when the script finds its record (a lost race)', async () => {
    const first = { ...reserved, refundedOn: '2030-01-02T10:00:00.000Z' };
    const { handler, published } = given(reserved, { code: 'ALREADY_REFUNDED', refund: first });
    expect(await handler.execute(new RefundTicketCommand('t1'))).toEqual({
      kind: 'ALREADY_REFUNDED',
      refundedOn: first.refundedOn,
    });
    expect(published).toHaveLength(0);
  });

  it('answers SALE_UNAVAILABLE and asks for the seat map to be rebuilt when Redis lost the zone', async () => {
    const { handler, rebuilds } = given(reserved, { code: 'NOT_OPEN' });
    expect((await handler.execute(new RefundTicketCommand('t1'))).kind).toBe('SALE_UNAVAILABLE');
    expect(rebuilds).toEqual(['E1']);
  });
});

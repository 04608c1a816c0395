import fc from 'fast-check';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import {
  creationOf,
  creationOnSeat,
  decide,
  decideRefund,
  emptySeat,
  evolve,
  outcomeOf,
  redeliveryOutcomeOf,
  seatOf,
  seatStreamId,
  type SeatState,
} from '../../src/write-store/seat-stream.decider';
import type { SeatEvent } from '../../src/write-store/ticket-write-store.port';

const STREAM = seatStreamId('E1', 2, 'C', 7);
const NOW = '2030-01-01T10:00:00.000Z';
const LATER = '2030-01-01T10:00:05.000Z';

const ticket = (ticketId: string): TicketReservedData => ({
  ticketId,
  venueId: 'Arena',
  eventId: 'E1',
  zoneId: 2,
  row: 'C',
  column: 7,
  price: 40,
  createdOn: '2030-01-01T09:59:59.000Z',
});

/** The seat after each of `ticketIds` was decided and appended in turn, as the adapter does. */
function given(...ticketIds: string[]): SeatState {
  return ticketIds.reduce((seat, id) => evolve(seat, decide(seat, ticket(id), NOW).event), emptySeat(STREAM));
}

describe('the seat stream decider', () => {
  it('gives a free seat to the first ticket: TicketReserved at version 1, answered STORED', () => {
    const seat = given();

    const decision = decide(seat, ticket('t1'), NOW);

    expect(decision).toEqual({
      decision: 'APPEND_AS_OWNER',
      event: {
        streamId: STREAM,
        version: 1,
        type: 'TicketReserved',
        ticketId: 't1',
        data: ticket('t1'),
        recordedAt: NOW,
      },
    });
    expect(outcomeOf(decision.event)).toEqual({ ticketId: 't1', status: 'STORED' });
    expect(evolve(seat, decision.event).owner).toBe('t1');
  });

  it('records another ticket for an owned seat as TicketCancelled at the next version, reason SEAT_ALREADY_SOLD:<owner>', () => {
    const seat = given('t1');

    const decision = decide(seat, ticket('t2'), LATER);

    const cancelled = { ...ticket('t2'), reason: 'SEAT_ALREADY_SOLD:t1', cancelledOn: LATER };
    expect(decision).toEqual({
      decision: 'APPEND_AS_REFUSED',
      event: {
        streamId: STREAM,
        version: 2,
        type: 'TicketCancelled',
        ticketId: 't2',
        data: cancelled,
        recordedAt: LATER,
      },
    });
    expect(outcomeOf(decision.event)).toEqual({
      ticketId: 't2',
      status: 'CANCELLED',
      reason: 'SEAT_ALREADY_SOLD:t1',
      cancelled,
    });
  });

  it('names the owner, not the last refused ticket, in every later refusal', () => {
    const seat = given('t1', 't2', 't3');

    const { event } = decide(seat, ticket('t4'), NOW);

    expect(event).toEqual(expect.objectContaining({ version: 4, type: 'TicketCancelled' }));
    expect(event.type === 'TicketCancelled' && event.data.reason).toBe('SEAT_ALREADY_SOLD:t1');
  });

  it('finds a redelivered owner on the stream and appends nothing: its stream item answers STORED', () => {
    const seat = given('t1', 't2');

    const decision = decide(seat, ticket('t1'), LATER);

    expect(decision).toEqual({ decision: 'ALREADY_ON_STREAM', event: seat.tickets.get('t1') });
    expect(decision.event.recordedAt).toBe(NOW);
    expect(outcomeOf(decision.event)).toEqual({ ticketId: 't1', status: 'STORED' });
  });

  it('finds a redelivered refused ticket on the stream and answers CANCELLED with the data first recorded', () => {
    const seat = given('t1', 't2');

    const decision = decide(seat, ticket('t2'), LATER);

    expect(decision.decision).toBe('ALREADY_ON_STREAM');
    expect(outcomeOf(decision.event)).toEqual({
      ticketId: 't2',
      status: 'CANCELLED',
      reason: 'SEAT_ALREADY_SOLD:t1',
      cancelled: { ...ticket('t2'), reason: 'SEAT_ALREADY_SOLD:t1', cancelledOn: NOW },
    });
  });

  it('folds a stream as read into the same seat as the appends that wrote it', () => {
    const written = given('t1', 't2', 't3');

    const read = seatOf(STREAM, [...written.tickets.values()]);

    expect(read).toEqual(written);
    expect(read).toEqual(expect.objectContaining({ owner: 't1', version: 3 }));
  });

  it('answers DUPLICATE to a redelivered owner whose TicketCreation is written', () => {
    const owner = creationOf(given('t1').tickets.get('t1')!);

    expect(owner).toEqual({ ...ticket('t1'), status: 'RESERVED' });
    expect(redeliveryOutcomeOf(owner)).toEqual({ ticketId: 't1', status: 'DUPLICATE' });
  });

  it('answers CANCELLED again, with the same data, to a redelivered refused ticket whose TicketCreation is written', () => {
    const refusal = given('t1', 't2').tickets.get('t2')!;
    const creation = creationOf(refusal);

    expect(creation).toEqual({
      ...ticket('t2'),
      status: 'CANCELLED',
      reason: 'SEAT_ALREADY_SOLD:t1',
      cancelledOn: NOW,
    });
    expect(redeliveryOutcomeOf(creation)).toEqual(outcomeOf(refusal));
  });

  it('keeps one owner, the first ticket delivered, and each ticket once at versions 1..n, whatever the deliveries', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }), (deliveries) => {
        let seat = emptySeat(STREAM);
        const answers = new Map<string, SeatEvent>();
        for (const n of deliveries) {
          const { decision, event } = decide(seat, ticket(`t${n}`), NOW);
          if (decision !== 'ALREADY_ON_STREAM') seat = evolve(seat, event);
          // Every delivery of a ticket answers what its first one recorded.
          if (!answers.has(event.ticketId)) answers.set(event.ticketId, event);
          expect(event).toBe(answers.get(event.ticketId));
        }
        const distinct = [...new Set(deliveries)].map((n) => `t${n}`);
        const stream = [...seat.tickets.values()].sort((a, b) => a.version - b.version);
        expect(stream.map((e) => e.ticketId)).toEqual(distinct);
        expect(stream.map((e) => e.version)).toEqual(distinct.map((_, i) => i + 1));
        expect(stream.map((e) => e.type)).toEqual(
          distinct.map((_, i) => (i === 0 ? 'TicketReserved' : 'TicketCancelled')),
        );
        for (const e of stream.slice(1)) {
          expect(e.type === 'TicketCancelled' && e.data.reason).toBe(`SEAT_ALREADY_SOLD:${distinct[0]}`);
        }
      }),
    );
  });
});

const refund = (ticketId: string, reason?: string): TicketRefundedData => ({
  ...ticket(ticketId),
  refundedOn: '2030-01-01T10:00:01.000Z',
  ...(reason !== undefined && { reason }),
});

/** The seat after `event` is appended, checking the decider chose the next version. */
function appended(seat: SeatState, event: SeatEvent): SeatState {
  expect(event.version).toBe(seat.version + 1);
  return evolve(seat, event);
}

/**
 * One delivery handled as SeatEventAppends does it, with the ledger answering from `ledger` (the refunds
 * Redis recorded): decide, ask the ledger, append, decide again until the message's fact is on the stream.
 */
function deliver(
  seat: SeatState,
  message: { reserve: string } | { refund: string },
  ledger: ReadonlyMap<string, TicketRefundedData>,
): SeatState {
  const known = new Map<string, TicketRefundedData | null>();
  const reserve = (id: string): void => {
    for (;;) {
      const decision = decide(seat, ticket(id), NOW, known);
      if (decision.decision === 'ALREADY_ON_STREAM') return;
      if (decision.decision === 'LOOK_UP_REFUND') {
        known.set(decision.ticketId, ledger.get(decision.ticketId) ?? null);
        continue;
      }
      seat = appended(seat, decision.event);
      if (decision.decision === 'APPEND_AS_OWNER' || decision.decision === 'APPEND_AS_REFUSED') return;
    }
  };
  if ('reserve' in message) {
    reserve(message.reserve);
    return seat;
  }
  for (;;) {
    const decision = decideRefund(seat, ledger.get(message.refund)!, NOW);
    if (decision.decision === 'ALREADY_ON_STREAM' || decision.decision === 'IGNORED') return seat;
    if (decision.decision === 'RESERVE_FIRST') reserve(decision.ticket.ticketId);
    else seat = appended(seat, decision.event);
  }
}

const history = (seat: SeatState): [number, string, string][] =>
  [...seat.tickets.values(), ...seat.refunds.values()]
    .sort((a, b) => a.version - b.version)
    .map((e) => [e.version, e.type, e.ticketId]);

describe('the seat stream decider with refunds: the append at the expected version wins', () => {
  it('frees the seat on a refund of its owner, and gives it to the next ticket: reserved -> refunded -> reserved', () => {
    let seat = given('t1');

    const refunded = decideRefund(seat, refund('t1', 'customer request'), LATER);
    expect(refunded).toEqual({
      decision: 'APPEND_REFUND',
      event: {
        streamId: STREAM,
        version: 2,
        type: 'TicketRefunded',
        ticketId: 't1',
        data: refund('t1', 'customer request'),
        recordedAt: LATER,
      },
    });
    seat = evolve(seat, (refunded as { event: SeatEvent }).event);
    expect(seat.owner).toBeUndefined();

    const resold = decide(seat, ticket('t2'), LATER);
    expect(resold.decision).toBe('APPEND_AS_OWNER');
    seat = evolve(seat, resold.event);

    expect(seat.owner).toBe('t2');
    expect(history(seat)).toEqual([
      [1, 'TicketReserved', 't1'],
      [2, 'TicketRefunded', 't1'],
      [3, 'TicketReserved', 't2'],
    ]);
    expect(creationOnSeat(seat, 't1')).toEqual({
      ...ticket('t1'),
      status: 'REFUNDED',
      refundedOn: '2030-01-01T10:00:01.000Z',
      reason: 'customer request',
    });
    expect(creationOnSeat(seat, 't2')).toEqual({ ...ticket('t2'), status: 'RESERVED' });
  });

  it('finds a redelivered refund on the stream and appends nothing', () => {
    const first = decideRefund(given('t1'), refund('t1'), NOW);
    const seat = evolve(given('t1'), (first as { event: SeatEvent }).event);

    expect(decideRefund(seat, refund('t1'), LATER)).toEqual({
      decision: 'ALREADY_ON_STREAM',
      event: seat.refunds.get('t1'),
    });
  });

  it('ignores a refund of a ticket the stream refused (TicketCancelled): nothing is appended, the owner keeps the seat', () => {
    const seat = given('t1', 't2');

    expect(decideRefund(seat, refund('t2'), LATER)).toEqual({
      decision: 'IGNORED',
      reason: 'SEAT_ALREADY_SOLD:t1',
    });
    expect(creationOnSeat(seat, 't2')?.status).toBe('CANCELLED');
  });

  it('never lets a stale redelivery of a refunded reservation take the seat back, before or after a resale', () => {
    const refunded = deliver(given('t1'), { refund: 't1' }, new Map([['t1', refund('t1')]]));

    expect(decide(refunded, ticket('t1'), LATER)).toEqual({
      decision: 'ALREADY_ON_STREAM',
      event: refunded.tickets.get('t1'),
    });
    const resold = evolve(refunded, decide(refunded, ticket('t2'), LATER).event);
    expect(decide(resold, ticket('t1'), LATER).decision).toBe('ALREADY_ON_STREAM');
    expect(resold.owner).toBe('t2');
  });

  it('asks the ledger when a reservation finds the seat owned, and appends the owner refund it overtook first', () => {
    const seat = given('t1');

    expect(decide(seat, ticket('t2'), LATER, new Map())).toEqual({ decision: 'LOOK_UP_REFUND', ticketId: 't1' });
    const decision = decide(seat, ticket('t2'), LATER, new Map([['t1', refund('t1')]]));

    expect(decision).toEqual({
      decision: 'APPEND_OWNER_REFUND',
      event: expect.objectContaining({ version: 2, type: 'TicketRefunded', ticketId: 't1' }),
    });
  });

  it('still refuses a reservation for an owned seat when neither the owner nor the ticket was refunded', () => {
    const known = new Map<string, TicketRefundedData | null>([['t1', null]]);
    expect(decide(given('t1'), ticket('t2'), LATER, known)).toEqual({ decision: 'LOOK_UP_REFUND', ticketId: 't2' });
    known.set('t2', null);

    expect(decide(given('t1'), ticket('t2'), LATER, known).decision).toBe('APPEND_AS_REFUSED');
  });

  it('records a refund that overtook its reservation: the reservation first, then the refund', () => {
    expect(decideRefund(given(), refund('t1'), NOW)).toEqual({ decision: 'RESERVE_FIRST', ticket: ticket('t1') });

    const seat = deliver(given(), { refund: 't1' }, new Map([['t1', refund('t1')]]));

    expect(history(seat)).toEqual([
      [1, 'TicketReserved', 't1'],
      [2, 'TicketRefunded', 't1'],
    ]);
    expect(seat.owner).toBeUndefined();
  });

  it('answers DUPLICATE to a redelivered reservation whose TicketCreation says REFUNDED', () => {
    const seat = deliver(given('t1'), { refund: 't1' }, new Map([['t1', refund('t1')]]));

    expect(redeliveryOutcomeOf(creationOnSeat(seat, 't1')!)).toEqual({ ticketId: 't1', status: 'DUPLICATE' });
  });

  it('ends reserved(t1) -> refunded(t1) -> reserved(t2) at versions 1..3, t2 the owner, whatever the order and copies of the deliveries', () => {
    const ledger = new Map([['t1', refund('t1')]]);
    const messages = [{ reserve: 't1' }, { refund: 't1' }, { reserve: 't2' }] as const;
    fc.assert(
      fc.property(
        // Each message delivered at least once (the sale, the refund, the resale), then copies in any order.
        fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 8 }),
        (firsts, copies) => {
          let seat = emptySeat(STREAM);
          for (const m of [...firsts, ...copies]) seat = deliver(seat, messages[m]!, ledger);

          expect(seat.owner).toBe('t2');
          expect(creationOnSeat(seat, 't1')?.status).toBe('REFUNDED');
          expect(creationOnSeat(seat, 't2')?.status).toBe('RESERVED');
          const events = history(seat);
          expect(events.map(([version]) => version)).toEqual([1, 2, 3]);
          // In Redis' order unless the resale overtook the first sale entirely (then t1 is recorded late).
          expect(events.map(([, type, id]) => `${type}:${id}`).sort()).toEqual(
            ['TicketRefunded:t1', 'TicketReserved:t1', 'TicketReserved:t2'].sort(),
          );
        },
      ),
    );
  });
});

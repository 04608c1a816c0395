import fc from 'fast-check';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import {
  creationOf,
  decide,
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

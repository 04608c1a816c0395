import fc from 'fast-check';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import {
  creationOnSeat,
  decide,
  decideRefund,
  emptySeat,
  evolve,
  seatOf,
  seatStreamId,
  type SeatState,
} from '../../src/write-store/seat-stream.decider';
import { creationsOf, itemsOf, refundItemKey } from '../../src/write-store/ticket-record-items';
import type { SeatEvent, TicketCreation } from '../../src/write-store/ticket-write-store.port';

const STREAM = seatStreamId('E1', 1, 'B', 3);
const NOW = '2030-01-01T10:00:00.000Z';
const REFUNDED_ON = '2030-01-01T10:00:01.000Z';

const ticket = (ticketId: string): TicketReservedData => ({
  ticketId,
  venueId: 'Arena',
  eventId: 'E1',
  zoneId: 1,
  row: 'B',
  column: 3,
  price: 40,
  createdOn: '2030-01-01T09:59:59.000Z',
});

const reserve = (seat: SeatState, id: string): SeatState => evolve(seat, decide(seat, ticket(id), NOW).event);
const refund = (seat: SeatState, id: string): SeatState => {
  const decision = decideRefund(seat, { ...ticket(id), refundedOn: REFUNDED_ON, reason: 'customer request' }, NOW);
  if (decision.decision !== 'APPEND_REFUND') throw new Error(`no refund appended: ${decision.decision}`);
  return evolve(seat, decision.event);
};

/** t1 takes the seat (1), t2 is refused (2), t1 is refunded (3), t3 takes the seat (4). */
const stream: SeatEvent[] = (() => {
  const seat = reserve(refund(reserve(reserve(emptySeat(STREAM), 't1'), 't2'), 't1'), 't3');
  return [...seat.tickets.values(), ...seat.refunds.values()].sort((a, b) => a.version - b.version);
})();

/** The records a writer derives after reading the first `read` items of the stream. */
const derivedAfter = (read: number): TicketCreation[] => {
  const seat = seatOf(STREAM, stream.slice(0, read));
  return ['t1', 't2', 't3'].flatMap((id) => creationOnSeat(seat, id) ?? []);
};

/** The tickets table as DynamoDB keeps it: the last put of a key wins. */
const putAll = (table: Map<string, TicketCreation>, creations: readonly TicketCreation[]): void => {
  for (const item of creations.flatMap(itemsOf)) table.set(item.ticketId, item);
};

describe('the tickets table layout: each item is a pure function of one stream item', () => {
  it('records a reserved or refused ticket as its ticket item alone', () => {
    const [reserved, cancelled] = derivedAfter(2);

    expect(itemsOf(reserved!)).toEqual([reserved]);
    expect(itemsOf(cancelled!)).toEqual([expect.objectContaining({ ticketId: 't2', status: 'CANCELLED' })]);
  });

  it('records a refunded ticket as its reservation’s ticket item and a refund item keyed <ticketId>#refund', () => {
    const reserved = derivedAfter(1)[0]!;
    const refunded = derivedAfter(3)[0]!;

    const items = itemsOf(refunded);

    expect(items).toEqual([reserved, { ...refunded, ticketId: refundItemKey('t1') }]);
    expect(refundItemKey('t1')).toBe('t1#refund');
  });

  it('reads a ticket with a refund item as REFUNDED, whichever of its items comes first', () => {
    const refunded = derivedAfter(3)[0]!;
    const [ticketItem, refundItem] = itemsOf(refunded);

    expect(creationsOf([ticketItem!, refundItem!])).toEqual([refunded]);
    expect(creationsOf([refundItem!, ticketItem!])).toEqual([refunded]);
  });

  it('reads a REFUNDED ticket item, as written before refunds had items of their own, as it is', () => {
    const refunded = derivedAfter(3)[0]!;

    expect(creationsOf([refunded])).toEqual([refunded]);
  });

  it('keeps REFUNDED when the RESERVED derived before the refund is put after it', () => {
    const table = new Map<string, TicketCreation>();
    putAll(table, derivedAfter(3));

    putAll(table, derivedAfter(1));

    expect(creationsOf([...table.values()])).toEqual(derivedAfter(3));
  });

  it('ends on the records of the whole stream whatever order the writes derived from each read land in', () => {
    fc.assert(
      fc.property(
        // Writers that read 1..4 items, some twice, landing in any order; one of them read it all.
        fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 12 }),
        fc.nat(),
        (reads, at) => {
          const landing = [...reads];
          landing.splice(at % (reads.length + 1), 0, stream.length);
          const table = new Map<string, TicketCreation>();

          for (const read of landing) putAll(table, derivedAfter(read));

          const byId = (a: TicketCreation, b: TicketCreation) => a.ticketId.localeCompare(b.ticketId);
          expect(creationsOf([...table.values()]).sort(byId)).toEqual(derivedAfter(stream.length).sort(byId));
        },
      ),
    );
  });
});

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
import { supersedes, type StoredTicketRecord, type TicketRecord } from '../../src/write-store/ticket-record.rule';
import type { SeatEvent } from '../../src/write-store/ticket-write-store.port';

const STREAM = seatStreamId('E1', 1, 'B', 3);
const NOW = '2030-01-01T10:00:00.000Z';

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
const refundOf = (seat: SeatState, id: string): SeatState => {
  const decision = decideRefund(seat, { ...ticket(id), refundedOn: NOW }, NOW);
  if (decision.decision !== 'APPEND_REFUND') throw new Error(`no refund appended: ${decision.decision}`);
  return evolve(seat, decision.event);
};

/** t1 takes the seat (1), t2 is refused (2), t1 is refunded (3), t3 takes the seat (4). */
const stream: SeatEvent[] = (() => {
  const seat = reserve(refundOf(reserve(reserve(emptySeat(STREAM), 't1'), 't2'), 't1'), 't3');
  return [...seat.tickets.values(), ...seat.refunds.values()].sort((a, b) => a.version - b.version);
})();

/** t1's record as a writer derives it after reading the first `read` items of the stream. */
const t1After = (read: number): TicketRecord => creationOnSeat(seatOf(STREAM, stream.slice(0, read)), 't1')!;

/** As records were written before they carried a version. */
const unversioned = ({ streamVersion: _version, ...record }: TicketRecord): StoredTicketRecord => record;

describe('which TicketCreation wins: only a newer state of the ticket replaces the stored one', () => {
  it('stamps a record with the version of its ticket’s last item: the reservation’s, then the refund’s', () => {
    const reserved = t1After(1);
    const refunded = t1After(3);

    expect(reserved).toEqual(expect.objectContaining({ status: 'RESERVED', streamVersion: 1 }));
    // Items of other tickets do not change t1's record.
    expect(t1After(2)).toEqual(reserved);
    expect(refunded).toEqual(expect.objectContaining({ status: 'REFUNDED', streamVersion: 3 }));
    expect(t1After(4)).toEqual(refunded);
    expect(creationOnSeat(seatOf(STREAM, stream), 't2')).toEqual(
      expect.objectContaining({ status: 'CANCELLED', streamVersion: 2 }),
    );
  });

  it('writes a record where there is none', () => {
    expect(supersedes(t1After(1), undefined)).toBe(true);
  });

  it('replaces a RESERVED record with the REFUNDED one derived after the refund', () => {
    const stored = t1After(1);

    expect(supersedes(t1After(3), stored)).toBe(true);
  });

  it('drops a RESERVED record derived before the refund when the REFUNDED one is already stored', () => {
    const stored = t1After(3);

    expect(supersedes(t1After(1), stored)).toBe(false);
  });

  it('drops a record at the version already stored: it is the same record', () => {
    expect(supersedes(t1After(1), t1After(1))).toBe(false);
    expect(supersedes(t1After(3), t1After(3))).toBe(false);
  });

  it('replaces a record written without a version, as version 0: a RESERVED from before refunds becomes REFUNDED', () => {
    const stored = unversioned(t1After(1));

    expect(supersedes(t1After(3), stored)).toBe(true);
    expect(supersedes(t1After(1), stored)).toBe(true);
  });

  it('keeps a REFUNDED record written without a version against a RESERVED one, and lets the REFUNDED add its version', () => {
    const stored = unversioned(t1After(3));

    expect(supersedes(t1After(1), stored)).toBe(false);
    expect(supersedes(t1After(3), stored)).toBe(true);
  });

  it('ends on the record of the whole stream whatever order the records derived from each read land in', () => {
    fc.assert(
      fc.property(
        // Writers that read 1, 2, 3 or 4 items (t1 is on the stream from the first), some twice, in any order;
        // one of them read it all.
        fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 12 }),
        fc.nat(),
        fc.boolean(),
        (reads, at, startsUnversioned) => {
          const landing = [...reads];
          landing.splice(at % (reads.length + 1), 0, stream.length);
          let stored: StoredTicketRecord | undefined = startsUnversioned ? unversioned(t1After(1)) : undefined;
          for (const read of landing) {
            const incoming = t1After(read);
            if (supersedes(incoming, stored)) stored = incoming;
          }

          expect(stored).toEqual(t1After(stream.length));
        },
      ),
    );
  });
});

import { EventSeats } from '../../src/live/event-seats';
import { parseRefundedSeats, parseReservedSeats } from '../../src/live/seat-feed';
import { reservedTicket } from '../support/tickets';

const zones = [
  { zoneId: 1, ticketPrice: 50, rowCount: 2, colCount: 3 },
  { zoneId: 7, ticketPrice: 20, rowCount: 26, colCount: 30 },
];

/** Bit i of a base64 bitmap, most significant bit of each byte first (the Redis seat map's order). */
const bit = (base64: string, i: number): boolean => (Buffer.from(base64, 'base64')[i >> 3]! & (0x80 >> (i & 7))) !== 0;

describe('EventSeats: the taken seats of one event', () => {
  it('counts a seat once, however often it is added', () => {
    const seats = new EventSeats('E', 'V', zones);
    expect(seats.add(1, 'B', 2)).toBe(true);
    expect(seats.add(1, 'B', 2)).toBe(false);
    expect(seats.has(1, 'B', 2)).toBe(true);
    expect(seats.has(1, 'B', 3)).toBe(false);
    expect(seats.snapshot().find((z) => z.zoneId === 1)?.sold).toBe(1);
  });

  it('frees a refunded seat once: it is counted free again and can be taken again', () => {
    const seats = new EventSeats('E', 'V', zones);
    seats.add(1, 'B', 2);
    expect(seats.remove(1, 'B', 2)).toBe(true);
    expect(seats.remove(1, 'B', 2)).toBe(false);
    expect(seats.remove(2, 'A', 1)).toBe(false);
    expect(seats.has(1, 'B', 2)).toBe(false);
    expect(seats.snapshot().find((z) => z.zoneId === 1)?.sold).toBe(0);
    expect(seats.add(1, 'B', 2)).toBe(true);
  });

  it('refuses seats outside the venue grid or in an unknown zone, so a bad message cannot corrupt a bitmap', () => {
    const seats = new EventSeats('E', 'V', zones);
    expect([
      seats.add(1, 'C', 1), // row past the zone's two rows
      seats.add(1, 'A', 4), // column past three
      seats.add(1, 'A', 0),
      seats.add(1, 'A', 1.5),
      seats.add(1, 'AB', 1),
      seats.add(1, 'a', 1),
      seats.add(2, 'A', 1), // no zone 2
    ]).toEqual([false, false, false, false, false, false, false]);
    expect(seats.snapshot().map((z) => z.sold)).toEqual([0, 0]);
  });

  it('snapshots each zone with its price, size and a bitmap in the Redis layout (rowIndex × columns + column − 1)', () => {
    const seats = new EventSeats('E', 'V', zones);
    seats.add(1, 'A', 1);
    seats.add(1, 'B', 3);
    seats.add(7, 'Z', 30);
    const [small, large] = seats.snapshot();
    expect(small).toMatchObject({ zoneId: 1, price: 50, rows: 2, columns: 3, sold: 2 });
    expect([0, 1, 2, 3, 4, 5].filter((i) => bit(small!.taken, i))).toEqual([0, 5]);
    expect(Buffer.from(large!.taken, 'base64')).toHaveLength(Math.ceil((26 * 30) / 8));
    expect(bit(large!.taken, 25 * 30 + 29)).toBe(true);
    expect(large!.sold).toBe(1);
  });
});

describe('parseReservedSeats: the seats of a relayed message', () => {
  const ticket = (over: object = {}) => ({
    ...reservedTicket('E', {
      ticketId: '7c0e8a52-55b2-4c36-9d9c-6f1a3f1d2b11',
      venueId: 'V',
      column: 2,
      price: 50,
      createdOn: '2027-01-01T20:00:00.000Z',
    }),
    ...over,
  });
  const message = (pattern: string, data: unknown[]) => Buffer.from(JSON.stringify({ pattern, data }));

  it('reads every seat of a TicketReserved batch', () => {
    expect(parseReservedSeats(message('TicketReserved', [ticket(), ticket({ row: 'B', column: 3 })]))).toEqual([
      { eventId: 'E', venueId: 'V', zoneId: 1, row: 'A', column: 2, createdOn: '2027-01-01T20:00:00.000Z' },
      { eventId: 'E', venueId: 'V', zoneId: 1, row: 'B', column: 3, createdOn: '2027-01-01T20:00:00.000Z' },
    ]);
  });

  it('frees no seat on TicketCancelled: the write store cancels a second ticket for a seat that stays sold', () => {
    expect(parseReservedSeats(message('TicketCancelled', [ticket({ reason: 'SEAT_ALREADY_SOLD:x' })]))).toEqual([]);
  });

  it('reads the seats a TicketRefunded batch frees, and frees none on a reservation', () => {
    const refunded = message('TicketRefunded', [ticket({ refundedOn: '2027-01-02T20:00:00.000Z' })]);
    expect(parseRefundedSeats(refunded)).toEqual([
      { eventId: 'E', venueId: 'V', zoneId: 1, row: 'A', column: 2, createdOn: '2027-01-01T20:00:00.000Z' },
    ]);
    expect(parseReservedSeats(refunded)).toEqual([]);
    expect(parseRefundedSeats(message('TicketReserved', [ticket()]))).toEqual([]);
  });

  it('skips what is not a ticket, item by item, and messages that are not JSON', () => {
    const batch = message('TicketReserved', [ticket({ zoneId: '1' }), null, 7, ticket({ column: 4 })]);
    expect(parseReservedSeats(batch).map((s) => s.column)).toEqual([4]);
    expect(parseReservedSeats(Buffer.from('not json'))).toEqual([]);
    expect(parseReservedSeats(Buffer.from('{"pattern":"TicketReserved","data":{}}'))).toEqual([]);
  });
});

import { chooseBestAvailable, takenFromBitmap } from '../../src/purchasing/seat-map/best-available';

/** A zone drawn row by row from row A: `x` a taken seat, `.` a free one. */
function zone(...rows: string[]) {
  return {
    rows: rows.length,
    cols: rows[0]!.length,
    isTaken: (rowIndex: number, column: number) => rows[rowIndex]![column - 1] === 'x',
  };
}

const choose = (quantity: number, ...rows: string[]) => chooseBestAvailable({ ...zone(...rows), quantity });

describe('best available (reference rule)', () => {
  it('given an empty zone, when a pair is asked for, then it gets the two centre seats of row A', () => {
    expect(choose(2, '..........', '..........')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [5, 6] });
  });

  it('given a row with an odd number of seats, when a pair is asked for, then of the two equally central pairs the left one wins', () => {
    expect(choose(2, '.........')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [4, 5] });
  });

  it('given row A has no run long enough, when four seats are asked for, then row B is used', () => {
    expect(choose(4, '...x...x..', '..........')).toEqual({ code: 'FOUND', rowIndex: 1, columns: [4, 5, 6, 7] });
  });

  it('given the most central pair would strand a seat, when a pair is asked for, then the nearest clean pair wins (left on a tie)', () => {
    // 5-6 is the most central but strands 4 (3 is taken); 4-5 and 6-7 strand nothing and are equally central.
    expect(choose(2, '..x....x..')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [4, 5] });
  });

  it('given row A only has pairs that strand a seat, when a pair is asked for, then a clean pair in row B wins', () => {
    expect(choose(2, '...x...', '.......')).toEqual({ code: 'FOUND', rowIndex: 1, columns: [3, 4] });
  });

  it('given no row has a clean pair, when a pair is asked for, then the nearest row with any pair is used, its most central pair', () => {
    expect(choose(2, '...x...', 'x..x..x')).toEqual({ code: 'FOUND', rowIndex: 1, columns: [2, 3] });
    expect(choose(2, '...x...', 'xxx.xxx')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [2, 3] });
  });

  it('given a run of exactly the quantity, when that many are asked for, then the run is clean and taken whole', () => {
    expect(choose(3, 'xx...xxxxx')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [3, 4, 5] });
  });

  it('given a row of three free seats, when one seat is asked for, then an end seat wins over the middle one that strands two', () => {
    expect(choose(1, '...')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [1] });
  });

  it('given a pair one seat short of the row edge, when a pair is asked for, then it loses to an equally central clean pair on its right', () => {
    // 2-3 strands seat 1 against the edge, 3-4 strands seat 5 against the taken 6; 4-5 strands nothing.
    expect(choose(2, '.....x')).toEqual({ code: 'FOUND', rowIndex: 0, columns: [4, 5] });
  });

  it('given free seats but no run long enough anywhere, when seats are asked for, then NOT_ENOUGH_ADJACENT', () => {
    expect(choose(3, '..x..', 'x..x.')).toEqual({ code: 'NOT_ENOUGH_ADJACENT' });
    expect(choose(6, '.....')).toEqual({ code: 'NOT_ENOUGH_ADJACENT' });
  });

  it('given every seat taken, when any quantity is asked for, then ZONE_SOLD_OUT', () => {
    expect(choose(1, 'xxx', 'xxx')).toEqual({ code: 'ZONE_SOLD_OUT' });
    expect(choose(4, 'xxx', 'xxx')).toEqual({ code: 'ZONE_SOLD_OUT' });
  });

  it('refuses a quantity below one', () => {
    expect(() => choose(0, '...')).toThrow(RangeError);
  });
});

describe('takenFromBitmap', () => {
  it('reads bit rowIndex × cols + column − 1 from the most significant bit, and treats bits past the end as free', () => {
    // cols 5: bit 0 = A1, bit 6 = B2, bit 9 = B5.
    const bitmap = Buffer.from([0b1000_0010, 0b0100_0000]);
    const taken = takenFromBitmap(bitmap, 5);
    expect([taken(0, 1), taken(1, 2), taken(1, 5)]).toEqual([true, true, true]);
    expect([taken(0, 2), taken(1, 1), taken(2, 1), taken(5, 5)]).toEqual([false, false, false, false]);
    expect(takenFromBitmap(null, 5)(0, 1)).toBe(false);
  });
});

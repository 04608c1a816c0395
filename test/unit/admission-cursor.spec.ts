import {
  admissionTime,
  admittedCursor,
  afterJoin,
  placeInQueue,
  withRate,
  type RoomState,
} from '../../src/waiting-room/admission-cursor';

const T0 = 1_800_000_000_000;

describe('waiting room admission cursor', () => {
  it('admits `rate` positions per second from when the room opened, never past the positions issued', () => {
    // given a room opened at T0 at 10/s with 25 buyers
    const room: RoomState = { ...withRate(undefined, 10, T0), joined: 25 };
    // then
    expect(admittedCursor(room, T0)).toBe(0);
    expect(admittedCursor(room, T0 + 99)).toBe(0);
    expect(admittedCursor(room, T0 + 100)).toBe(1);
    expect(admittedCursor(room, T0 + 1500)).toBe(15);
    expect(admittedCursor(room, T0 + 60_000)).toBe(25);
  });

  it('tells a waiting buyer how many are ahead and how long the wait is', () => {
    const room: RoomState = { rate: 10, base: 0, since: T0, joined: 100 };
    // when position 40 asks 1.5 s after the start (15 admitted)
    const place = placeInQueue(room, 40, T0 + 1500);
    // then
    expect(place).toEqual({ position: 40, ahead: 24, admitted: false, expectedWaitSeconds: 3 });
    expect(admissionTime(room, 40)).toBe(T0 + 4000);
    expect(placeInQueue(room, 40, T0 + 4000)).toEqual({
      position: 40,
      ahead: 0,
      admitted: true,
      expectedWaitSeconds: 0,
    });
  });

  it('keeps whoever the old rate admitted when the rate changes, and counts the new rate from the change', () => {
    // given 20 admitted after 2 s at 10/s
    const room: RoomState = { rate: 10, base: 0, since: T0, joined: 1000 };
    // when the admin sets 100/s at T0 + 2 s
    const faster = withRate(room, 100, T0 + 2000);
    // then
    expect(faster).toEqual({ rate: 100, base: 20, since: T0 + 2000, joined: 1000 });
    expect(admittedCursor(faster, T0 + 2000)).toBe(20);
    expect(admittedCursor(faster, T0 + 3000)).toBe(120);
  });

  it('does not bank idle time: a burst after a lull is admitted at the rate, not at once', () => {
    // given a room at 10/s whose 5 buyers were admitted long ago
    const idle: RoomState = { rate: 10, base: 0, since: T0, joined: 5 };
    // when 3 buyers join a minute later
    let room = idle;
    for (let i = 0; i < 3; i++) room = afterJoin(room, T0 + 60_000);
    // then the rate counts again from the first of them
    expect(room).toEqual({ rate: 10, base: 5, since: T0 + 60_000, joined: 8 });
    expect(admittedCursor(room, T0 + 60_000)).toBe(5);
    expect(admittedCursor(room, T0 + 60_100)).toBe(6);
    expect(admittedCursor(room, T0 + 60_300)).toBe(8);
  });

  it('leaves the count alone while the queue is ahead of the rate', () => {
    const room: RoomState = { rate: 10, base: 0, since: T0, joined: 50 };
    expect(afterJoin(room, T0 + 1000)).toEqual({ ...room, joined: 51 });
  });

  it('admits in position order: the admitted positions are always a prefix', () => {
    const room: RoomState = { rate: 7, base: 3, since: T0, joined: 200 };
    for (let t = T0; t < T0 + 40_000; t += 333) {
      const cursor = admittedCursor(room, t);
      const admitted = Array.from({ length: 200 }, (_, i) => placeInQueue(room, i + 1, t).admitted);
      expect(admitted.indexOf(false)).toBe(cursor === 200 ? -1 : cursor);
      expect(admitted.lastIndexOf(true)).toBe(cursor - 1);
    }
  });
});

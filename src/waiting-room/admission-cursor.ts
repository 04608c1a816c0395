/**
 * The admission arithmetic of a waiting room, pure: no Redis, no clock of its own.
 *
 * A room is four numbers kept in one Redis hash: `rate` (buyers admitted per second), `base` and `since`
 * (`base` positions were admitted at `since`, ms on the Redis clock) and `joined` (positions issued so far).
 * Nothing is written as buyers are admitted: the cursor is computed, so admission costs O(1) per event
 * whatever the number of waiting buyers, and every API process computes the same cursor from the same hash.
 */
export interface RoomState {
  /** Buyers admitted per second (> 0: a room with rate 0 does not exist). */
  rate: number;
  /** Positions admitted at `since`. */
  base: number;
  /** Redis clock, ms. */
  since: number;
  /** Positions issued so far: the highest position. */
  joined: number;
}

/** Positions the rate has admitted by `now`, whether or not anyone holds them yet. */
export function admittedByRate(room: RoomState, now: number): number {
  return room.base + Math.floor((Math.max(0, now - room.since) * room.rate) / 1000);
}

/**
 * The admitted cursor: every position up to it is admitted, none after it. A prefix, so admission follows
 * the order of the positions (first come, first admitted). Bounded by `joined`, so a position issued after
 * the state was read is never admitted from that state.
 */
export function admittedCursor(room: RoomState, now: number): number {
  return Math.min(room.joined, admittedByRate(room, now));
}

/** When (Redis clock, ms) the rate reaches `position`. */
export function admissionTime(room: RoomState, position: number): number {
  if (position <= room.base) return room.since;
  return room.since + Math.ceil(((position - room.base) * 1000) / room.rate);
}

export interface QueuePlace {
  position: number;
  /** Waiting buyers in front of this one (0 once admitted). */
  ahead: number;
  admitted: boolean;
  /** Seconds until admission at the current rate (0 once admitted). */
  expectedWaitSeconds: number;
}

export function placeInQueue(room: RoomState, position: number, now: number): QueuePlace {
  const cursor = admittedCursor(room, now);
  if (position <= cursor) return { position, ahead: 0, admitted: true, expectedWaitSeconds: 0 };
  return {
    position,
    ahead: position - cursor - 1,
    admitted: false,
    expectedWaitSeconds: Math.max(0, Math.ceil((admissionTime(room, position) - now) / 1000)),
  };
}

/**
 * The state after the admin sets a new rate at `now`: whoever the old rate admitted stays admitted, and the
 * new rate counts from now (a rate change is not applied retroactively to the time already spent).
 */
export function withRate(room: RoomState | undefined, rate: number, now: number): RoomState {
  if (room === undefined) return { rate, base: 0, since: now, joined: 0 };
  return { rate, base: admittedCursor(room, now), since: now, joined: room.joined };
}

/**
 * The state after one more buyer joins at `now`. A room whose rate has run ahead of its queue (nobody
 * joined for a while) starts counting again from now: otherwise the idle time would be banked and the
 * next burst of joiners admitted at once, above the configured rate. (join-queue.lua does the same in
 * Redis; this is its specification, tested against it.)
 */
export function afterJoin(room: RoomState, now: number): RoomState {
  const restarted = admittedByRate(room, now) > room.joined ? { ...room, base: room.joined, since: now } : room;
  return { ...restarted, joined: restarted.joined + 1 };
}

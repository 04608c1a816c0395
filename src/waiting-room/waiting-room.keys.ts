/**
 * Redis key layout of the waiting rooms.
 *
 * The keys of one event's room share the hash tag `{wr:<eventId>}`: joining (read the room, look the buyer
 * up, issue the next position) is one script on one slot of a Redis Cluster. Rooms of different events
 * spread over the shards. The index of rooms lives in a slot of its own and is only read by the
 * once-a-second refresh of each API process, never on a buyer's request.
 *
 * | key | type | content |
 * | --- | --- | --- |
 * | `wroom:{wr:<eventId>}` | hash | `rate`, `base`, `since`, `joined` (see admission-cursor.ts) |
 * | `wroom:{wr:<eventId>}:buyers` | hash | buyerId → position: one field per waiting buyer |
 * | `wroom:index` | set | event ids that have a room |
 */
export interface RoomKeys {
  room: string;
  buyers: string;
}

export function roomKeys(eventId: string): RoomKeys {
  const tag = `{wr:${eventId}}`;
  return { room: `wroom:${tag}`, buyers: `wroom:${tag}:buyers` };
}

export const ROOM_INDEX_KEY = 'wroom:index';

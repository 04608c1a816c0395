import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../platform/redis/redis.factory';
import type { RoomState } from './admission-cursor';
import { ROOM_INDEX_KEY, roomKeys } from './waiting-room.keys';

const script = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

interface RoomScripts {
  joinQueue(room: string, buyers: string, buyerId: string): Promise<number[]>;
  setAdmissionRate(room: string, buyers: string, rate: number): Promise<number[]>;
}

export type JoinResult = { kind: 'NO_ROOM' } | { kind: 'JOINED'; position: number };

/** The rooms' state in Redis: the scripts that change it and the reads of the once-a-second refresh. */
@Injectable()
export class RedisWaitingRooms {
  private readonly scripts: RoomScripts;

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {
    redis.defineCommand('joinQueue', { numberOfKeys: 2, lua: script('join-queue.lua') });
    redis.defineCommand('setAdmissionRate', { numberOfKeys: 2, lua: script('set-admission-rate.lua') });
    this.scripts = redis as unknown as RoomScripts;
  }

  async join(eventId: string, buyerId: string): Promise<JoinResult> {
    const keys = roomKeys(eventId);
    const reply = await this.scripts.joinQueue(keys.room, keys.buyers, buyerId);
    return reply[0] === 0 ? { kind: 'NO_ROOM' } : { kind: 'JOINED', position: Number(reply[1]) };
  }

  /**
   * The room first, then the index (another slot, so not in the same script): a crash in between leaves a
   * room the refresh does not see yet, and the admin's retry of the same PUT completes it.
   */
  async setRate(eventId: string, rate: number): Promise<RoomState> {
    const keys = roomKeys(eventId);
    const [r, base, since, joined] = (await this.scripts.setAdmissionRate(keys.room, keys.buyers, rate)).map(Number);
    await this.redis.sadd(ROOM_INDEX_KEY, eventId);
    return { rate: r!, base: base!, since: since!, joined: joined! };
  }

  /** The index first: from then on no process requires admission for the event, whatever the room's keys. */
  async remove(eventId: string): Promise<void> {
    const keys = roomKeys(eventId);
    await this.redis.srem(ROOM_INDEX_KEY, eventId);
    await this.scripts.setAdmissionRate(keys.room, keys.buyers, 0);
  }

  /** Every room, read for the in-process cache: O(rooms), one HMGET each, whatever the queues' lengths. */
  async readAll(): Promise<{ rooms: Map<string, RoomState>; redisNow: number; localNow: number; roundTripMs: number }> {
    const before = Date.now();
    const [seconds, micros] = await this.redis.time();
    const after = Date.now();
    const localNow = (before + after) / 2;
    const eventIds = await this.redis.smembers(ROOM_INDEX_KEY);
    const states = await Promise.all(
      eventIds.map((eventId) => this.redis.hmget(roomKeys(eventId).room, 'rate', 'base', 'since', 'joined')),
    );
    const rooms = new Map<string, RoomState>();
    eventIds.forEach((eventId, i) => {
      const [rate, base, since, joined] = states[i]!;
      if (rate === null || rate === undefined) return; // removed between the two reads
      rooms.set(eventId, { rate: Number(rate), base: Number(base), since: Number(since), joined: Number(joined) });
    });
    const redisNow = Number(seconds) * 1000 + Number(micros) / 1000;
    return { rooms, redisNow, localNow, roundTripMs: after - before };
  }

  /** Memory of a room's buyers hash (bytes, MEMORY USAGE with every field sampled): sizing and the bench. */
  async buyersMemory(eventId: string): Promise<number> {
    const bytes = await this.redis.call('MEMORY', 'USAGE', roomKeys(eventId).buyers, 'SAMPLES', '0');
    return Number(bytes ?? 0);
  }
}

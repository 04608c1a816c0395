import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { admittedCursor, type RoomState } from './admission-cursor';
import { RedisClockEstimate } from './redis-clock-estimate';
import { RedisWaitingRooms } from './redis-waiting-rooms';

/** What one refresh tells every watcher of an event: the same object for all of them. */
export interface RoomTick {
  eventId: string;
  room: RoomState;
  /** The Redis clock at this tick, ms. */
  now: number;
}

export type RoomListener = (tick: RoomTick | undefined) => void;

export interface RoomFigures {
  eventId: string;
  admitPerSecond: number;
  joined: number;
  admitted: number;
  /** Positions issued and not admitted yet. */
  queueLength: number;
  /** Cursor movement per second between the last two refreshes; null before two. */
  admittedPerSecond: number | null;
  /** For a buyer joining now, at the configured rate. */
  expectedWaitSeconds: number;
}

/**
 * Every room's state, in memory, refreshed from Redis every WAITING_ROOM_REFRESH_MS (one SMEMBERS and one
 * HMGET per room, per process). The purchase route asks it whether an event has a room: a Map lookup, no
 * Redis round trip. The Redis clock is followed through the offset measured at each refresh, so every
 * process computes the cursor on the same clock. The first refresh completes before the API serves (a
 * process that started without knowing the rooms would let unadmitted purchases through); a failed later
 * one keeps the last state (rooms stay enforced while Redis is away).
 */
@Injectable()
export class WaitingRoomCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WaitingRoomCache.name);
  private rooms = new Map<string, RoomState>();
  private clockOffsetMs = 0;
  private readonly clock = new RedisClockEstimate();
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private readonly listeners = new Map<string, Set<RoomListener>>();
  private readonly lastCursor = new Map<string, { at: number; cursor: number; perSecond: number | null }>();

  constructor(
    private readonly store: RedisWaitingRooms,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: Error) => this.logger.warn(`waiting rooms not refreshed: ${error.message}`));
    }, this.config.WAITING_ROOM_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  /** The hot path's question. Undefined: no room, admission not required. */
  roomOf(eventId: string): RoomState | undefined {
    return this.rooms.get(eventId);
  }

  /** Now on the Redis clock, ms. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** A room just changed by this process: known here at once, the others within a refresh. */
  remember(eventId: string, room: RoomState | undefined): void {
    if (room === undefined) this.rooms.delete(eventId);
    else this.rooms.set(eventId, room);
  }

  /** Calls `listener` after every refresh with the room of `eventId` (undefined: no room) until stopped. */
  watch(eventId: string, listener: RoomListener): () => void {
    let set = this.listeners.get(eventId);
    if (set === undefined) this.listeners.set(eventId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(eventId) === set) this.listeners.delete(eventId);
    };
  }

  figures(): RoomFigures[] {
    const now = this.now();
    return [...this.rooms].map(([eventId, room]) => {
      const admitted = admittedCursor(room, now);
      const queueLength = room.joined - admitted;
      return {
        eventId,
        admitPerSecond: room.rate,
        joined: room.joined,
        admitted,
        queueLength,
        admittedPerSecond: this.lastCursor.get(eventId)?.perSecond ?? null,
        expectedWaitSeconds: Math.ceil(queueLength / room.rate),
      };
    });
  }

  /** A refresh still running when the next is due (Redis slow) makes that one skip. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const { rooms, redisNow, localNow, roundTripMs } = await this.store.readAll();
      this.rooms = rooms;
      this.clockOffsetMs = this.clock.offset(redisNow - localNow, roundTripMs);
      this.measure(redisNow);
      this.notify(redisNow);
    } finally {
      this.refreshing = false;
    }
  }

  private measure(now: number): void {
    for (const eventId of this.lastCursor.keys()) if (!this.rooms.has(eventId)) this.lastCursor.delete(eventId);
    for (const [eventId, room] of this.rooms) {
      const cursor = admittedCursor(room, now);
      const last = this.lastCursor.get(eventId);
      const seconds = last === undefined ? 0 : (now - last.at) / 1000;
      const perSecond =
        last === undefined || seconds <= 0 ? null : Math.round((Math.max(0, cursor - last.cursor) / seconds) * 10) / 10;
      this.lastCursor.set(eventId, { at: now, cursor, perSecond });
    }
  }

  /** One tick object per event, shared by all its watchers: the work does not grow with their number. */
  private notify(now: number): void {
    for (const [eventId, listeners] of this.listeners) {
      const room = this.rooms.get(eventId);
      const tick = room === undefined ? undefined : { eventId, room, now };
      for (const listener of [...listeners]) listener(tick);
    }
  }
}

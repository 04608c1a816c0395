import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import { rowLetter } from './seat-map.keys';
import { holdKeys } from './hold.keys';

const script = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

/** A seat of the hold's zone: row letter and 1-based column. */
export interface HeldSeat {
  readonly row: string;
  readonly column: number;
}

export interface HoldRequest {
  /** Made by newHoldId for this zone: the record is written in the zone's slot. */
  readonly holdId: string;
  readonly buyerId: string;
  readonly eventId: string;
  readonly zoneId: number;
  /** How long the seats stay held; the expiry is computed on the Redis clock. */
  readonly holdMs: number;
  /**
   * Redis time (ms) after which the hold must not be taken: the deadline of the buyer's quota claim for it.
   * Unset: no deadline.
   */
  readonly notAfter?: number;
  /** The seats named by the buyer, or how many the platform picks (best-available.ts). */
  readonly pick: { readonly seats: readonly HeldSeat[] } | { readonly bestAvailable: number };
}

export type HoldOutcome =
  | { readonly code: 'HELD' | 'REPLAYED'; readonly seats: HeldSeat[]; readonly expiresAt: number }
  | { readonly code: 'SEAT_TAKEN' | 'ROW_SOLD_OUT' | 'DUPLICATE_SEAT'; readonly seat: HeldSeat }
  | { readonly code: 'ZONE_SOLD_OUT' | 'NOT_OPEN' | 'NOT_ENOUGH_ADJACENT' }
  /** The call came after `notAfter`: nothing was taken (a replay of an existing hold is answered regardless). */
  | { readonly code: 'CLAIM_EXPIRED' };

interface HoldScripts {
  holdSeats(
    counts: string,
    seats: string,
    record: string,
    expiryIndex: string,
    ...args: (string | number)[]
  ): Promise<number[]>;
  releaseHold(
    counts: string,
    seats: string,
    record: string,
    expiryIndex: string,
    holdId: string,
    eventId: string,
    zoneId: number,
  ): Promise<number[]>;
}

const pairsOf = (reply: number[], from: number): HeldSeat[] => {
  const seats: HeldSeat[] = [];
  for (let i = from; i < reply.length; i += 2) seats.push({ row: rowLetter(reply[i]!), column: reply[i + 1]! });
  return seats;
};

/**
 * Seat holds on Redis: hold-seats.lua takes a hold's seats all or none, release-hold.lua gives them back.
 * Scripts run by SHA through `defineCommand` (reloaded by ioredis on NOSCRIPT), like RedisSeatMap.
 */
@Injectable()
export class RedisSeatHolds {
  private readonly scripts: HoldScripts;

  constructor(@Inject(REDIS) redis: RedisClient) {
    redis.defineCommand('holdSeats', { numberOfKeys: 4, lua: script('hold-seats.lua') });
    redis.defineCommand('releaseHold', { numberOfKeys: 4, lua: script('release-hold.lua') });
    this.scripts = redis as unknown as HoldScripts;
  }

  async hold({ holdId, buyerId, eventId, zoneId, holdMs, notAfter, pick }: HoldRequest): Promise<HoldOutcome> {
    const keys = holdKeys(eventId, zoneId, holdId);
    const choice =
      'seats' in pick
        ? ['seats', ...pick.seats.flatMap((seat) => [seat.row.charCodeAt(0) - 65, seat.column])]
        : ['best', pick.bestAvailable];
    const reply = await this.scripts.holdSeats(
      keys.counts,
      keys.seats,
      keys.record,
      keys.expiryIndex,
      holdId,
      buyerId,
      eventId,
      zoneId,
      holdMs,
      notAfter ?? 0,
      ...choice,
    );
    switch (reply[0]) {
      case 0:
        return { code: 'HELD', expiresAt: reply[1]!, seats: pairsOf(reply, 2) };
      case 5:
        return { code: 'REPLAYED', expiresAt: reply[1]!, seats: pairsOf(reply, 2) };
      case 1:
        return { code: 'SEAT_TAKEN', seat: pairsOf(reply, 1)[0]! };
      case 2:
        return { code: 'ROW_SOLD_OUT', seat: pairsOf(reply, 1)[0]! };
      case 7:
        return { code: 'DUPLICATE_SEAT', seat: pairsOf(reply, 1)[0]! };
      case 3:
        return { code: 'ZONE_SOLD_OUT' };
      case 4:
        return { code: 'NOT_OPEN' };
      case 6:
        return { code: 'NOT_ENOUGH_ADJACENT' };
      case 8:
        return { code: 'CLAIM_EXPIRED' };
      default:
        throw new Error(`hold-seats.lua returned an unknown code ${reply[0]}`);
    }
  }

  /** Gives a held hold's seats back; false when there was none (released already, confirmed, unknown). */
  async release(eventId: string, zoneId: number, holdId: string): Promise<boolean> {
    const keys = holdKeys(eventId, zoneId, holdId);
    const reply = await this.scripts.releaseHold(
      keys.counts,
      keys.seats,
      keys.record,
      keys.expiryIndex,
      holdId,
      eventId,
      zoneId,
    );
    return reply[0] === 1;
  }
}

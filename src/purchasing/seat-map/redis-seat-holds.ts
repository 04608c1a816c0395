import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import { rowLetter, ticketCacheKey } from './seat-map.keys';
import { holdExpiryKey, holdKeys, holdRecordKey, partitionOfHoldId } from './hold.keys';

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

/** A hold as its record stores it. */
export interface HoldRecord {
  readonly holdId: string;
  readonly buyerId: string;
  readonly eventId: string;
  readonly zoneId: number;
  readonly seats: HeldSeat[];
  /** ms on the Redis clock. */
  readonly expiresAt: number;
  readonly status: 'held' | 'confirmed';
  /** Confirmed: the TicketReserved payloads as a JSON array, one per seat, in seat order. */
  readonly tickets?: string;
  readonly paymentReference?: string;
}

export interface ConfirmRequest {
  readonly hold: HoldRecord;
  readonly paymentReference: string;
  /** One per seat of the hold, in its order; each ticket id made by newTicketId for the hold's zone. */
  readonly tickets: readonly { readonly ticketId: string; readonly payload: string }[];
  readonly ticketCacheSeconds: number;
  /** How long the confirmed record answers repeated confirms and lookups. */
  readonly keepSeconds: number;
}

export type ConfirmResult =
  /** `tickets`: the JSON array of the confirmed tickets; `now`: false when an earlier confirm made them. */
  | { readonly code: 'CONFIRMED'; readonly tickets: string; readonly now: boolean }
  | { readonly code: 'HOLD_EXPIRED' | 'HOLD_NOT_FOUND' | 'HOLD_LOST' };

/** Seat labels as the record stores them: "A3,A4". */
const seatLabels = (seats: readonly HeldSeat[]): string => seats.map((seat) => `${seat.row}${seat.column}`).join(',');

interface HoldScripts {
  confirmHold(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<[number, string?]>;
  dueHolds(expiryIndex: string, limit: number): Promise<string[]>;
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

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {
    redis.defineCommand('holdSeats', { numberOfKeys: 4, lua: script('hold-seats.lua') });
    redis.defineCommand('releaseHold', { numberOfKeys: 4, lua: script('release-hold.lua') });
    // A key per ticket: the number of keys is given with each call.
    redis.defineCommand('confirmHold', { lua: script('confirm-hold.lua') });
    redis.defineCommand('dueHolds', { numberOfKeys: 1, lua: script('due-holds.lua') });
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

  /** The hold's record; null for an unknown id, a released hold, or a confirmed one past its keeping time. */
  async find(holdId: string): Promise<HoldRecord | null> {
    const partition = partitionOfHoldId(holdId);
    if (partition === undefined) return null;
    const hash = await this.redis.hgetall(holdRecordKey(partition, holdId));
    if (hash['status'] !== 'held' && hash['status'] !== 'confirmed') return null;
    return {
      holdId,
      buyerId: hash['buyer'] ?? '',
      eventId: hash['eventId'] ?? '',
      zoneId: Number(hash['zoneId']),
      seats: (hash['seats'] ?? '')
        .split(',')
        .filter((label) => label !== '')
        .map((label) => ({ row: label[0]!, column: Number(label.slice(1)) })),
      expiresAt: Number(hash['expiresAt']),
      status: hash['status'],
      ...(hash['tickets'] !== undefined && { tickets: hash['tickets'] }),
      ...(hash['paymentReference'] !== undefined && { paymentReference: hash['paymentReference'] }),
    };
  }

  /** Turns a held hold into its tickets (confirm-hold.lua): all of them, once. */
  async confirm({
    hold,
    paymentReference,
    tickets,
    ticketCacheSeconds,
    keepSeconds,
  }: ConfirmRequest): Promise<ConfirmResult> {
    const keys = holdKeys(hold.eventId, hold.zoneId, hold.holdId);
    const cacheKeys = tickets.map((ticket) => ticketCacheKey(keys.partition, ticket.ticketId));
    const reply = await this.scripts.confirmHold(
      4 + cacheKeys.length,
      keys.counts,
      keys.record,
      keys.expiryIndex,
      keys.outbox,
      ...cacheKeys,
      hold.holdId,
      paymentReference,
      ticketCacheSeconds,
      keepSeconds,
      seatLabels(hold.seats),
      ...tickets.map((ticket) => ticket.payload),
    );
    switch (reply[0]) {
      case 0:
        return { code: 'CONFIRMED', tickets: reply[1]!, now: true };
      case 1:
        return { code: 'CONFIRMED', tickets: reply[1]!, now: false };
      case 2:
        return { code: 'HOLD_EXPIRED' };
      case 3:
        return { code: 'HOLD_NOT_FOUND' };
      case 4:
        return { code: 'HOLD_LOST' };
      default:
        throw new Error(`confirm-hold.lua returned an unknown code ${reply[0]}`);
    }
  }

  /** Up to `limit` hold ids of the partition whose expiry has come by the Redis clock, oldest first. */
  due(partition: number, limit: number): Promise<string[]> {
    return this.scripts.dueHolds(holdExpiryKey(partition), limit);
  }

  /**
   * Drops an expiry index entry whose record is gone. hold-seats.lua writes both and release-hold.lua and
   * confirm-hold.lua remove the entry with the record, so this only cleans what an outside deletion left.
   */
  async forget(holdId: string): Promise<void> {
    const partition = partitionOfHoldId(holdId);
    if (partition !== undefined) await this.redis.zrem(holdExpiryKey(partition), holdId);
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import type { Zone } from '../../catalog/catalog.schema';
import { REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import { rowIndexOf } from '../seat';
import {
  idempotencyFingerprintKey,
  idempotencyRecordKey,
  rowField,
  rowLetter,
  ticketCacheKey,
  zoneKeys,
} from './seat-map.keys';
import type {
  ReservationResult,
  ReserveRequest,
  SeatMap,
  ZoneCounters,
  ZoneRebuild,
  ZoneSnapshot,
} from './seat-map.port';

const script = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

type ScriptReply = [number] | [number, string];

interface SeatScripts {
  reserveSeat(
    counts: string,
    seats: string,
    outbox: string,
    idem: string,
    ticketCache: string,
    rowIndex: number,
    column: number,
    rowField: string,
    payload: string,
    useIdempotency: string,
    ttl: number,
    ticketCacheTtl: number,
  ): Promise<ScriptReply>;
  openZone(counts: string, seats: string, rows: number, cols: number): Promise<number>;
  rebuildZone(
    counts: string,
    seats: string,
    rows: number,
    cols: number,
    ...takenPairs: number[]
  ): Promise<[rebuilt: number, taken: number]>;
}

const OUTCOMES = ['RESERVED', 'SEAT_TAKEN', 'ROW_SOLD_OUT', 'ZONE_SOLD_OUT', 'NOT_OPEN'] as const;

/**
 * Seat map on Redis. The scripts are registered once with `defineCommand`: ioredis runs them by SHA and
 * reloads them itself if Redis answers NOSCRIPT (after a restart).
 */
@Injectable()
export class RedisSeatMap implements SeatMap {
  private readonly scripts: SeatScripts;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('reserveSeat', { numberOfKeys: 5, lua: script('reserve-seat.lua') });
    redis.defineCommand('openZone', { numberOfKeys: 2, lua: script('open-zone.lua') });
    redis.defineCommand('rebuildZone', { numberOfKeys: 2, lua: script('rebuild-zone.lua') });
    this.scripts = redis as unknown as SeatScripts;
  }

  async reserve({ seat, ticketId, payload, idempotencyKey }: ReserveRequest): Promise<ReservationResult> {
    const keys = zoneKeys(seat.eventId, seat.zoneId);
    const idem = idempotencyKey === undefined ? '' : idempotencyRecordKey(keys.partition, idempotencyKey);
    const reply = await this.scripts.reserveSeat(
      keys.counts,
      keys.seats,
      keys.outbox,
      // An unused key must still hash to the same slot; the counts key does and is never written here.
      idem || keys.counts,
      ticketCacheKey(keys.partition, ticketId),
      rowIndexOf(seat.row),
      seat.column,
      rowField(seat.row),
      payload,
      idem ? '1' : '',
      this.config.IDEMPOTENCY_TTL_SECONDS,
      this.config.TICKET_CACHE_TTL_SECONDS,
    );
    if (reply[0] === 5) return { code: 'REPLAYED', payload: reply[1] as string };
    const code = OUTCOMES[reply[0]];
    if (code === undefined) throw new Error(`reserve-seat.lua returned an unknown code ${reply[0]}`);
    return { code };
  }

  async openZone(eventId: string, zone: Zone): Promise<boolean> {
    const keys = zoneKeys(eventId, zone.zoneId);
    return (await this.scripts.openZone(keys.counts, keys.seats, zone.rowCount, zone.colCount)) === 1;
  }

  async isOpen(eventId: string, zoneId: number): Promise<boolean> {
    return (await this.redis.exists(zoneKeys(eventId, zoneId).counts)) === 1;
  }

  async counters(eventId: string, zoneId: number): Promise<ZoneCounters | null> {
    const hash = await this.redis.hgetall(zoneKeys(eventId, zoneId).counts);
    if (hash['zone'] === undefined) return null;
    const rowsLeft: Record<string, number> = {};
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith('r:')) rowsLeft[field.slice(2)] = Number(value);
    }
    return { zoneLeft: Number(hash['zone']), rowsLeft };
  }

  async snapshotZone(eventId: string, zone: Zone): Promise<ZoneSnapshot | null> {
    const keys = zoneKeys(eventId, zone.zoneId);
    const [counters, bitmap] = await Promise.all([
      this.counters(eventId, zone.zoneId),
      this.redis.getBuffer(keys.seats),
    ]);
    if (counters === null) return null;
    const taken: [string, number][] = [];
    if (bitmap !== null) {
      // Bit i of the map is bit (7 - i % 8) of byte i / 8: Redis numbers bits from the most significant.
      for (let byte = 0; byte < bitmap.length; byte++) {
        const value = bitmap[byte]!;
        if (value === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if ((value & (0x80 >> bit)) === 0) continue;
          const index = byte * 8 + bit;
          taken.push([rowLetter(Math.floor(index / zone.colCount)), (index % zone.colCount) + 1]);
        }
      }
    }
    return { ...counters, taken };
  }

  async rebuildZone(
    eventId: string,
    zone: Zone,
    taken: readonly { row: string; column: number }[],
  ): Promise<ZoneRebuild> {
    const keys = zoneKeys(eventId, zone.zoneId);
    const pairs = taken.flatMap((seat) => [rowIndexOf(seat.row), seat.column]);
    const [rebuilt, seats] = await this.scripts.rebuildZone(
      keys.counts,
      keys.seats,
      zone.rowCount,
      zone.colCount,
      ...pairs,
    );
    return { rebuilt: rebuilt === 1, taken: seats };
  }

  async claimIdempotencyKey(key: string, fingerprint: string, ttlSeconds: number): Promise<string | null> {
    // SET NX GET: one round trip both claims a new key and reads the fingerprint of an existing one.
    return this.redis.set(idempotencyFingerprintKey(key), fingerprint, 'EX', ttlSeconds, 'NX', 'GET');
  }

  async keepIdempotencyKey(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.expire(idempotencyFingerprintKey(key), ttlSeconds);
  }
}

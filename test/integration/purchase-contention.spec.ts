import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ApiModule } from '../../src/api.module';
import { APP_CONFIG, type AppConfig } from '../../src/platform/config/app-config';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { OpenSaleCommand } from '../../src/catalog/open-sale/open-sale.command';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import type { PurchaseOutcome } from '../../src/purchasing/purchase-outcome';
import { SEAT_MAP, type SeatMap } from '../../src/purchasing/seat-map/seat-map.port';
import {
  idempotencyFingerprintKey,
  idempotencyRecordKey,
  partitionOf,
} from '../../src/purchasing/seat-map/seat-map.keys';
import { REDIS } from '../../src/platform/redis/redis.factory';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { seatKey, seatPlan } from '../../scripts/seat-plan';
import { freshEventId, saleEvent, testConfig } from '../support/test-config';

const COMMANDS = 20_000;
const DUPLICATE_RATIO = 0.5;
const DISTINCT = Math.round(COMMANDS / (1 + DUPLICATE_RATIO));
const ZONES = [1, 2];
const ROWS = 26;
const COLUMNS = 400;

describe('PurchaseSeatCommand under contention, straight to the CommandBus', () => {
  let app: INestApplicationContext;
  let eventId: string;
  let keyedEventId: string;

  beforeAll(async () => {
    // No relay: this test is about the decision; the relay has its own test. The 20,000 commands are sent at
    // once on one connection: the last waits behind all the others, seconds on a busy 2-core machine, which
    // the production 1 s timeout would turn into failures that say nothing about the decision.
    const config = testConfig({ OUTBOX_RELAY_ENABLED: 'false', REDIS_COMMAND_TIMEOUT_MS: '30000' });
    app = await NestFactory.createApplicationContext(ApiModule.forRoot(config, loadCatalog(config.CATALOG_FILE)), {
      logger: ['error'],
    });
    eventId = freshEventId('contention');
    keyedEventId = freshEventId('keyed');
    expect(await app.get(CommandBus).execute(new OpenSaleCommand(saleEvent(eventId, 'Arena')))).toBe('CREATED');
    expect(await app.get(CommandBus).execute(new OpenSaleCommand(saleEvent(keyedEventId, 'Arena')))).toBe('CREATED');
  });

  afterAll(async () => {
    await deleteOutboxRecordsOf(app.get<Redis>(REDIS), eventId);
    await deleteOutboxRecordsOf(app.get<Redis>(REDIS), keyedEventId);
    await app.close();
  });

  it('sells each distinct seat exactly once and answers SEAT_TAKEN to every duplicate', async () => {
    const plan = seatPlan(ZONES, ROWS, DISTINCT, DUPLICATE_RATIO, 20_000);
    expect(plan).toHaveLength(COMMANDS);
    const bus = app.get(CommandBus);

    const started = Date.now();
    const outcomes: PurchaseOutcome[] = await Promise.all(
      plan.map((s) => bus.execute(new PurchaseSeatCommand('Arena', eventId, s.zoneId, s.row, s.column))),
    );
    const elapsed = Date.now() - started;

    const winners = new Map<string, number>();
    const kinds: Record<string, number> = {};
    outcomes.forEach((outcome, i) => {
      kinds[outcome.kind] = (kinds[outcome.kind] ?? 0) + 1;
      if (outcome.kind === 'RESERVED') {
        const key = seatKey(plan[i]!);
        winners.set(key, (winners.get(key) ?? 0) + 1);
      }
    });
    console.log(
      `contention: ${COMMANDS} commands, ${DISTINCT} distinct seats, outcomes ${JSON.stringify(kinds)}, ` +
        `${elapsed} ms (${Math.round(COMMANDS / (elapsed / 1000))} commands/s)`,
    );

    expect(kinds).toEqual({ RESERVED: DISTINCT, SEAT_TAKEN: COMMANDS - DISTINCT });
    expect(winners.size).toBe(DISTINCT);
    expect([...winners.values()].every((n) => n === 1)).toBe(true);

    const seatMap = app.get<SeatMap>(SEAT_MAP);
    for (const zoneId of ZONES) {
      const soldInZone = [...winners.keys()].filter((k) => k.startsWith(`${zoneId}:`));
      const counters = await seatMap.counters(eventId, zoneId);
      expect(counters!.zoneLeft).toBe(ROWS * COLUMNS - soldInZone.length);
      for (let r = 0; r < ROWS; r++) {
        const row = String.fromCharCode(65 + r);
        const soldInRow = soldInZone.filter((k) => new RegExp(`^${zoneId}:${row}\\d+$`).test(k)).length;
        expect(counters!.rowsLeft[row]).toBe(COLUMNS - soldInRow);
      }
    }
  });

  it('keeps an Idempotency-Key for 24 h only when its purchase won the seat; a refused one for seconds', async () => {
    const config = app.get<AppConfig>(APP_CONFIG);
    const plan = seatPlan(ZONES, ROWS, 2000, DUPLICATE_RATIO, 7);
    const keys = plan.map((_, i) => `${keyedEventId}-${i}`);
    const bus = app.get(CommandBus);
    const outcomes = await Promise.all(
      plan.map((s, i) =>
        bus.execute(new PurchaseSeatCommand('Arena', keyedEventId, s.zoneId, s.row, s.column, keys[i])),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'RESERVED')).toHaveLength(2000);
    expect(outcomes.filter((o) => o.kind === 'SEAT_TAKEN')).toHaveLength(plan.length - 2000);

    // The purchases' own client: its commands reach Redis in the order they were sent.
    const redis = app.get<Redis>(REDIS);
    const ttls = await Promise.all(keys.map((key) => redis.ttl(idempotencyFingerprintKey(key))));
    const records = await Promise.all(
      plan.map((s, i) => redis.exists(idempotencyRecordKey(partitionOf(keyedEventId, s.zoneId), keys[i]!))),
    );
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'RESERVED') {
        expect(ttls[i]).toBeGreaterThan(config.IDEMPOTENCY_TTL_SECONDS - 60);
        expect(records[i]).toBe(1);
      } else {
        expect(ttls[i]).toBeGreaterThan(0);
        expect(ttls[i]).toBeLessThanOrEqual(config.IDEMPOTENCY_CLAIM_SECONDS);
        expect(records[i]).toBe(0);
      }
    });
  });
});

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ApiModule } from '../../src/api.module';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { OpenSaleCommand } from '../../src/catalog/open-sale/open-sale.command';
import { seatRebuildKeys } from '../../src/purchasing/seat-map/seat-rebuild.keys';
import { PurchaseSeatCommand } from '../../src/purchasing/purchase-seat/purchase-seat.command';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { REDIS } from '../../src/platform/redis/redis.factory';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, saleEvent, testConfig, testNamespace } from '../support/test-config';

/**
 * Opening a sale against the real Redis: a zone is opened empty only for an event no store knows. A zone
 * lost while the event's record lives on is left missing (purchases answer "retry") and handed to the
 * worker's rebuild, however many times the event is opened again meanwhile.
 */
describe('opening a sale', () => {
  let app: INestApplicationContext;
  let redis: Redis;
  const events: string[] = [];

  beforeAll(async () => {
    const config = testConfig({ OUTBOX_RELAY_ENABLED: 'false' });
    app = await NestFactory.createApplicationContext(ApiModule.forRoot(config, loadCatalog(config.CATALOG_FILE)), {
      logger: ['error'],
    });
    redis = app.get<Redis>(REDIS);
  });

  afterAll(async () => {
    for (const eventId of events) await deleteOutboxRecordsOf(redis, eventId);
    await app.close();
  });

  const newEvent = (label: string) => {
    const eventId = freshEventId(label);
    events.push(eventId);
    return saleEvent(eventId, 'Arena');
  };

  it('creates a new event with every zone open, and answers EXISTS to the same event again', async () => {
    const open = (event: ReturnType<typeof newEvent>) => app.get(CommandBus).execute(new OpenSaleCommand(event));
    const event = newEvent('open-new');
    expect(await open(event)).toBe('CREATED');
    expect(await redis.exists(zoneKeys(event.eventId, 1).counts, zoneKeys(event.eventId, 2).counts)).toBe(2);
    expect(await open(event)).toBe('EXISTS');
  });

  it('never reopens a lost zone of an existing event, even with opens and purchases racing: it asks for a rebuild', async () => {
    const open = (event: ReturnType<typeof newEvent>) => app.get(CommandBus).execute(new OpenSaleCommand(event));
    const bus = app.get(CommandBus);
    const event = newEvent('open-lost-zone');
    expect(await open(event)).toBe('CREATED');
    const sold = await Promise.all(
      Array.from({ length: 50 }, (_, i) => bus.execute(new PurchaseSeatCommand('Arena', event.eventId, 1, 'A', i + 1))),
    );
    expect(sold.every((o) => o.kind === 'RESERVED')).toBe(true);

    await redis.del(zoneKeys(event.eventId, 1).counts, zoneKeys(event.eventId, 1).seats);
    // Twenty re-opens (an API start, an admin's re-POST) race forty purchases of the seats already sold.
    const [opens, purchases] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => open(event))),
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          bus.execute(new PurchaseSeatCommand('Arena', event.eventId, 1, 'A', (i % 50) + 1)),
        ),
      ),
    ]);

    expect(new Set(opens)).toEqual(new Set(['EXISTS']));
    expect(new Set(purchases.map((o) => o.kind))).toEqual(new Set(['SALE_UNAVAILABLE']));
    expect(await redis.exists(zoneKeys(event.eventId, 1).counts, zoneKeys(event.eventId, 1).seats)).toBe(0);
    expect(await redis.sismember(seatRebuildKeys(testNamespace()).requests, event.eventId)).toBe(1);
    // The untouched zone goes on selling.
    expect((await bus.execute(new PurchaseSeatCommand('Arena', event.eventId, 2, 'A', 1))).kind).toBe('RESERVED');
    await redis.srem(seatRebuildKeys(testNamespace()).requests, event.eventId);
  });
});

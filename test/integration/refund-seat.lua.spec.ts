import type { Redis } from 'ioredis';
import type { Zone } from '../../src/catalog/catalog.schema';
import { createRedis } from '../../src/platform/redis/redis.factory';
import { RedisSeatMap } from '../../src/purchasing/seat-map/redis-seat-map';
import { RedisSeatRefunds } from '../../src/purchasing/seat-map/redis-seat-refunds';
import { refundRecordKey, ticketCacheKey, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { newTicketId } from '../../src/purchasing/ticket-id';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { deleteOutboxRecordsOf } from '../support/outbox-cleanup';
import { freshEventId, testConfig } from '../support/test-config';
import { refundedTicket } from '../support/tickets';

const config = testConfig();
const zone: Zone = { zoneId: 3, ticketPrice: 10, rowCount: 2, colCount: 3 };

describe('refund-seat.lua on Redis', () => {
  let redis: Redis;
  let seatMap: RedisSeatMap;
  let refunds: RedisSeatRefunds;
  let eventId: string;
  /** Refund records have no expiry: the tickets of each test, to delete theirs. */
  let ticketIds: string[] = [];

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 2000, 'refund-seat-test');
    await redis.connect();
    seatMap = new RedisSeatMap(redis, config);
    refunds = new RedisSeatRefunds(redis);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    eventId = freshEventId('refund-lua');
    await seatMap.openZone(eventId, zone);
  });
  afterEach(async () => {
    const keys = zoneKeys(eventId, zone.zoneId);
    await redis.del(keys.counts, keys.seats, ...ticketIds.map((id) => refundRecordKey(keys.partition, id)));
    await deleteOutboxRecordsOf(redis, eventId);
    ticketIds = [];
  });

  /** Buys the seat as the purchase path does; returns the ticket. */
  async function buy(row: string, column: number): Promise<TicketReservedData> {
    const ticket: TicketReservedData = {
      ticketId: newTicketId(eventId, zone.zoneId),
      venueId: 'Arena',
      eventId,
      zoneId: zone.zoneId,
      row,
      column,
      price: 10,
      createdOn: new Date().toISOString(),
    };
    ticketIds.push(ticket.ticketId);
    const payload = JSON.stringify(ticket);
    expect((await seatMap.reserve({ seat: ticket, ticketId: ticket.ticketId, payload })).code).toBe('RESERVED');
    return ticket;
  }

  const outboxEntriesOf = async (ticketId: string) =>
    (await redis.xrange(zoneKeys(eventId, zone.zoneId).outbox, '-', '+')).filter(([, f]) => f[1]?.includes(ticketId));

  it('frees the seat and gives the counters back, appends TicketRefunded to the outbox and refreshes the ticket cache', async () => {
    const ticket = await buy('B', 2);
    const refund = refundedTicket(ticket, 'customer request');

    expect(await refunds.refund(refund)).toEqual({ code: 'REFUNDED', seatFreed: true });

    expect(await seatMap.counters(eventId, zone.zoneId)).toEqual({ zoneLeft: 6, rowsLeft: { A: 3, B: 3 } });
    expect((await outboxEntriesOf(ticket.ticketId)).map(([, fields]) => fields)).toEqual([
      ['e', JSON.stringify(ticket)],
      ['refunded', JSON.stringify(refund)],
    ]);
    const keys = zoneKeys(eventId, zone.zoneId);
    const cache = ticketCacheKey(keys.partition, ticket.ticketId);
    expect(JSON.parse((await redis.get(cache))!)).toEqual(refund);
    expect(await redis.ttl(cache)).toBeGreaterThan(0);
    expect(await refunds.find(ticket)).toEqual(refund);
    // On sale again: another ticket takes the seat.
    await buy('B', 2);
  });

  it('refunds a ticket once when 50 refunds race: one REFUNDED, the others ALREADY_REFUNDED with the first refund', async () => {
    const ticket = await buy('A', 1);
    const resale = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return buy('A', 1);
    };

    const [results] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, (_, i) => refunds.refund(refundedTicket(ticket, `attempt ${i}`)))),
      resale(),
    ]);

    const refunded = results.filter((r) => r.code === 'REFUNDED');
    expect(refunded).toHaveLength(1);
    const first = await refunds.find(ticket);
    for (const r of results) if (r.code === 'ALREADY_REFUNDED') expect(r.refund).toEqual(first);
    expect(await outboxEntriesOf(ticket.ticketId)).toHaveLength(2);
    // The resale's seat stays taken: no later refund of the first ticket gave it back.
    expect(await seatMap.counters(eventId, zone.zoneId)).toEqual({ zoneLeft: 5, rowsLeft: { A: 2, B: 3 } });
  });

  it('records a refund of a ticket whose seat is already free without touching the counters, and keeps no cache entry that was not there', async () => {
    const ticketId = newTicketId(eventId, zone.zoneId);
    const refund = refundedTicket({
      ticketId,
      venueId: 'Arena',
      eventId,
      zoneId: zone.zoneId,
      row: 'A',
      column: 3,
      price: 10,
      createdOn: new Date().toISOString(),
    });

    expect(await refunds.refund(refund)).toEqual({ code: 'REFUNDED', seatFreed: false });

    expect(await seatMap.counters(eventId, zone.zoneId)).toEqual({ zoneLeft: 6, rowsLeft: { A: 3, B: 3 } });
    expect(await redis.exists(ticketCacheKey(zoneKeys(eventId, zone.zoneId).partition, ticketId))).toBe(0);
    ticketIds.push(ticketId);
  });

  it('answers NOT_OPEN and records nothing when the zone has no seat map', async () => {
    const ticket = await buy('A', 2);
    const keys = zoneKeys(eventId, zone.zoneId);
    await redis.del(keys.counts, keys.seats);

    expect(await refunds.refund(refundedTicket(ticket))).toEqual({ code: 'NOT_OPEN' });
    expect(await refunds.find(ticket)).toBeUndefined();
  });
});

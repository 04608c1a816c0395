import { AMQP_CONNECTION_NAMES } from '../../src/platform/amqp/amqp-connection.factory';
import { AmqpPublisher } from '../../src/platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../../src/platform/amqp/ticket-message';
import { TicketReservedEvent, type TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { seatKey, seatPlan } from '../../scripts/seat-plan';
import { freshEventId, testConfig, testTopology } from '../support/test-config';

const config = testConfig();

describe('purchase → RabbitMQ → worker → DynamoDB + MySQL, with real processes', () => {
  let platform: Platform;
  let publisher: AmqpPublisher;

  beforeAll(async () => {
    platform = await new Platform().start();
    publisher = new AmqpPublisher(config.AMQP_URL, testTopology(), AMQP_CONNECTION_NAMES.apiPublisher);
  });
  afterAll(async () => {
    await publisher.close();
    await platform.stop();
  });

  it('stores exactly the tickets that got a 201 in both stores; verify agrees; /sales matches the prices', async () => {
    const eventId = freshEventId('e2e');
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, 4000, 0.5, 42);
    const responses = await inParallel(plan, 100, (s) =>
      platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...s }),
    );
    const lastResponseAt = Date.now();
    const sold = new Map<string, TicketReservedData>();
    for (const [i, r] of responses.entries()) {
      expect([201, 409]).toContain(r.status);
      if (r.status === 201) {
        expect(sold.has(seatKey(plan[i]!))).toBe(false);
        sold.set(seatKey(plan[i]!), r.body);
      }
    }
    expect(sold.size).toBe(4000);

    const agreeAfter = await platform.waitUntilStoresAgree(eventId, sold.size, 60_000);
    console.log(
      `e2e: ${plan.length} purchases, ${sold.size} tickets; stores agree ${agreeAfter + (Date.now() - lastResponseAt - agreeAfter)} ms after the last 201`,
    );
    const written = await platform.writeStore.listEventTickets(eventId);
    expect(new Set(written.map((t) => t.ticketId))).toEqual(new Set([...sold.values()].map((t) => t.ticketId)));
    expect(written.every((t) => t.status === 'RESERVED')).toBe(true);

    const sales = await platform.request('GET', `/api/v1/events/${eventId}/sales`);
    const revenue = [...sold.values()].reduce((sum, t) => sum + t.price, 0);
    expect(sales.body).toMatchObject({ eventId, venueId: 'Arena', ticketsSold: sold.size, revenue });
    expect(sales.body.zones).toEqual(
      expect.arrayContaining([
        { zoneId: 1, sold: 2000, revenue: 2000 * 100 },
        { zoneId: 2, sold: 2000, revenue: 2000 * 60 },
      ]),
    );
    const one = [...sold.values()][0]!;
    expect(await platform.request('GET', `/api/v1/tickets/${one.ticketId}`)).toMatchObject({
      status: 200,
      body: { ...one, status: 'RESERVED' },
    });
  });

  it('a message delivered twice gives one ticket per store; a conflicting ticket is cancelled; a malformed one is dead-lettered', async () => {
    const eventId = freshEventId('e2e-dup');
    await platform.openSale(eventId, 'TinyHall');
    const first = await platform.request('POST', '/api/v1/tickets', {
      venueId: 'TinyHall',
      eventId,
      zoneId: 1,
      row: 'A',
      column: 1,
    });
    expect(first.status).toBe(201);
    const ticket = first.body as TicketReservedData & { status?: string };
    delete ticket.status;
    const conflicting: TicketReservedData = { ...ticket, ticketId: '00000000-0000-4000-8000-000000000001' };
    const message = (tickets: TicketReservedData[]) => ({
      messageId: `manual-${tickets[0]!.ticketId}`,
      type: TicketReservedEvent.type,
      body: ticketMessageJson(
        TicketReservedEvent.type,
        tickets.map((t) => JSON.stringify(t)),
      ),
    });
    // The relay already sent `ticket`; deliver it twice more, then a second ticket for the same seat.
    await publisher.publishBatch([message([ticket]), message([ticket])]);
    await publisher.publishBatch([
      {
        messageId: 'malformed',
        type: 'TicketReserved',
        body: '{"pattern":"TicketReserved","data":[{"ticketId":"x"}]}',
      },
    ]);
    await publisher.publishBatch([message([conflicting])]);

    await waitFor(
      async () => (await platform.writeStore.listEventTickets(eventId)).length === 2,
      30_000,
      'the conflict',
    );
    await platform.waitUntilStoresAgree(eventId, 1, 30_000);
    const written = await platform.writeStore.listEventTickets(eventId);
    expect(written).toHaveLength(2);
    expect(written.find((t) => t.ticketId === ticket.ticketId)).toMatchObject({ status: 'RESERVED' });
    expect(written.find((t) => t.ticketId === conflicting.ticketId)).toMatchObject({
      status: 'CANCELLED',
      reason: `SEAT_ALREADY_SOLD:${ticket.ticketId}`,
    });
    expect(await platform.request('GET', `/api/v1/tickets/${ticket.ticketId}`)).toMatchObject({
      body: { status: 'RESERVED' },
    });
    const cancelled = await platform.request('GET', `/api/v1/tickets/${conflicting.ticketId}`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    // Each pipeline dead-lettered the malformed item on its own (the figures come from the worker).
    await waitFor(
      async () => {
        const pipelines = (await (
          await fetch(`http://127.0.0.1:${platform.workerPort}/api/v1/ops/pipelines`)
        ).json()) as {
          deadLettered: number;
        }[];
        return pipelines.length === 2 && pipelines.every((p) => p.deadLettered >= 1);
      },
      10_000,
      'both pipelines to dead-letter the malformed item',
    );
  });

  it('replay: wipe the read model (and the seat map) of an event, rebuild both, and verify agrees again', async () => {
    const eventId = freshEventId('e2e-replay');
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, 500, 0, 3);
    await inParallel(plan, 50, (s) => platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...s }));
    await platform.waitUntilStoresAgree(eventId, 500, 30_000);

    await platform.orm.em.fork().execute('delete from tickets where event_id = ?', [eventId]);
    const keys = await platform.redis.keys(`*:${eventId}:*`);
    await platform.redis.del(...keys);
    expect((await platform.consistency.check(eventId)).differences.length).toBeGreaterThan(0);

    const progress: string[] = [];
    for (let run = 0; run < 2; run++) {
      await platform.consistency.rebuildReadModel(eventId, (m) => progress.push(m));
      // The first run rebuilds both missing zones; the second finds them there and leaves them as they are.
      expect(await platform.consistency.rebuildSeats(eventId, (m) => progress.push(m))).toEqual({
        taken: 500,
        rebuiltZones: run === 0 ? 2 : 0,
      });
      expect(await platform.consistency.check(eventId)).toMatchObject({ differences: [] });
    }
    expect(progress.some((m) => m.includes('reserved 500/500'))).toBe(true);
    // Sales resume on the rebuilt map: taken seats stay taken, free ones sell.
    expect((await platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...plan[0] })).status).toBe(
      409,
    );
    expect(
      (
        await platform.request('POST', '/api/v1/tickets', {
          venueId: 'Arena',
          eventId,
          zoneId: 1,
          row: 'Z',
          column: 400,
        })
      ).status,
    ).toBe(201);
  });
});

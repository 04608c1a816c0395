import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadCatalog } from '../../src/catalog/catalog.loader';
import { ConfigModule } from '../../src/platform/config/config.module';
import { HttpErrorsFilter } from '../../src/platform/http/http-errors.filter';
import { MAX_PAGE_SIZE } from '../../src/read-model/list-event-tickets/list-event-tickets.request';
import { ReadModelQueryModule } from '../../src/read-model/read-model-query.module';
import { TicketProjection } from '../../src/read-model/ticket.projection';
import { ApiServer } from '../support/api-server';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { cancelledTicket, reservedTicket } from '../support/tickets';
import { freshEventId, saleEvent, TEST_CATALOG_FILE, testConfig } from '../support/test-config';

@Module({})
class QueriesTestModule {
  static forRoot(mysqlUrl: string): DynamicModule {
    return {
      module: QueriesTestModule,
      imports: [ConfigModule.forRoot(testConfig({ MYSQL_URL: mysqlUrl })), CqrsModule.forRoot(), ReadModelQueryModule],
    };
  }
}

/** The read side alone, over HTTP on a loopback port. */
async function startQueryApi(mysqlUrl: string): Promise<ApiServer> {
  const app = await NestFactory.create<NestFastifyApplication>(
    QueriesTestModule.forRoot(mysqlUrl),
    new FastifyAdapter({ logger: false }),
    { logger: false, abortOnError: false },
  );
  app.useGlobalFilters(new HttpErrorsFilter());
  await app.listen(0, '127.0.0.1');
  const server = new ApiServer();
  server.app = app;
  server.baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  return server;
}

const expectValidationFailed = (response: { status: number; body: any }, path: string) => {
  expect(response.status).toBe(400);
  expect(response.body.error).toBe('VALIDATION_FAILED');
  expect(response.body.issues).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
};

describe('read model queries over HTTP', () => {
  const mysqlUrl = throwawayMysqlUrl();
  let api: ApiServer;
  let projection: TicketProjection;

  beforeAll(async () => {
    // The migrate step, then the app; the test drives the projection the worker would run.
    const orm = await migratedDatabase(mysqlUrl);
    await orm.close(true);
    api = await startQueryApi(mysqlUrl);
    projection = api.app.get(TicketProjection);
    await projection.seedCatalog(loadCatalog(TEST_CATALOG_FILE));
  });
  afterAll(async () => {
    await api.close();
    await dropDatabase(mysqlUrl);
  });

  describe('GET /api/v1/tickets/:ticketId', () => {
    it('200 with the ticket as the purchase answered it', async () => {
      const ticket = reservedTicket(freshEventId('q'), { zoneId: 2, row: 'C', column: 17, price: 60 });
      await projection.applyReserved([ticket]);
      const response = await api.request('GET', `/api/v1/tickets/${ticket.ticketId}`);
      expect(response).toMatchObject({ status: 200, body: { ...ticket, status: 'RESERVED' } });
      expect(Object.keys(response.body).sort()).toEqual(
        ['ticketId', 'venueId', 'eventId', 'zoneId', 'row', 'column', 'price', 'status', 'createdOn'].sort(),
      );
    });

    it('200 CANCELLED with the reason for a ticket the write store refused', async () => {
      const ticket = reservedTicket(freshEventId('q'));
      await projection.applyReserved([ticket]);
      await projection.applyCancelled([cancelledTicket(ticket, 'SEAT_OWNED_BY_ANOTHER_TICKET')]);
      expect(await api.request('GET', `/api/v1/tickets/${ticket.ticketId}`)).toMatchObject({
        status: 200,
        body: { ticketId: ticket.ticketId, status: 'CANCELLED', reason: 'SEAT_OWNED_BY_ANOTHER_TICKET' },
      });
    });

    it('404 NOT_FOUND for a ticket the read model does not have', async () => {
      expect(await api.request('GET', '/api/v1/tickets/4b1c3a52-0d57-4a1e-9a55-2b36c9d6e001')).toMatchObject({
        status: 404,
        body: { error: 'NOT_FOUND', message: expect.any(String) },
      });
    });

    it.each([
      ['a brace', 'x%7B1%7D'],
      ['a space', 'a%20b'],
      ['65 characters', 'x'.repeat(65)],
    ])('400 VALIDATION_FAILED for an id with %s', async (_label, id) => {
      expectValidationFailed(await api.request('GET', `/api/v1/tickets/${id}`), 'ticketId');
    });
  });

  describe('GET /api/v1/events/:eventId/sales', () => {
    it('200 with live tickets only, per zone (zones without sales included) and in total', async () => {
      const eventId = freshEventId('q');
      const a = reservedTicket(eventId, { zoneId: 1, column: 1, price: 100 });
      const b = reservedTicket(eventId, { zoneId: 1, column: 2, price: 100 });
      const c = reservedTicket(eventId, { zoneId: 2, column: 1, price: 60 });
      const refused = reservedTicket(eventId, { zoneId: 2, column: 2, price: 60 });
      await projection.applyReserved([a, b, c, refused]);
      await projection.applyCancelled([cancelledTicket(refused)]);
      expect(await api.request('GET', `/api/v1/events/${eventId}/sales`)).toEqual({
        status: 200,
        headers: expect.anything(),
        body: {
          eventId,
          venueId: 'Arena',
          ticketsSold: 3,
          revenue: 260,
          zones: [
            { zoneId: 1, sold: 2, revenue: 200 },
            { zoneId: 2, sold: 1, revenue: 60 },
          ],
        },
      });
    });

    it('adds prices in cents: 0.10 + 0.20 is 0.30', async () => {
      const eventId = freshEventId('q');
      await projection.applyReserved([
        reservedTicket(eventId, { column: 1, price: 0.1 }),
        reservedTicket(eventId, { column: 2, price: 0.2 }),
      ]);
      const response = await api.request('GET', `/api/v1/events/${eventId}/sales`);
      expect(response.body).toMatchObject({ ticketsSold: 2, revenue: 0.3, zones: [{ zoneId: 1, revenue: 0.3 }, {}] });
    });

    it('200 with zeros for an event opened without sales yet', async () => {
      const event = saleEvent(freshEventId('q'), 'TinyHall');
      await projection.upsertEvents([event]);
      expect((await api.request('GET', `/api/v1/events/${event.eventId}/sales`)).body).toEqual({
        eventId: event.eventId,
        venueId: 'TinyHall',
        ticketsSold: 0,
        revenue: 0,
        zones: [
          { zoneId: 1, sold: 0, revenue: 0 },
          { zoneId: 2, sold: 0, revenue: 0 },
        ],
      });
    });

    it('404 NOT_FOUND for an event the read model has never seen', async () => {
      expect(await api.request('GET', '/api/v1/events/never-heard-of/sales')).toMatchObject({
        status: 404,
        body: { error: 'NOT_FOUND' },
      });
    });

    it('400 VALIDATION_FAILED for a malformed event id', async () => {
      expectValidationFailed(await api.request('GET', '/api/v1/events/bad%2Aid/sales'), 'eventId');
    });
  });

  describe('GET /api/v1/events/:eventId/tickets', () => {
    const eventId = freshEventId('q-list');
    const tickets = [
      ...Array.from({ length: 40 }, (_, i) => reservedTicket(eventId, { zoneId: 1, column: i + 1 })),
      ...Array.from({ length: 15 }, (_, i) => reservedTicket(eventId, { zoneId: 2, column: i + 1 })),
    ];
    const ids = tickets.map((t) => t.ticketId).sort();
    beforeAll(async () => {
      await projection.applyReserved(tickets);
    });

    const pages = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let count = 0;
      do {
        const after: string = cursor === null ? '' : `&cursor=${cursor}`;
        const response = await api.request('GET', `/api/v1/events/${eventId}/tickets?${query}${after}`);
        expect(response.status).toBe(200);
        seen.push(...response.body.tickets.map((t: { ticketId: string }) => t.ticketId));
        cursor = response.body.nextCursor;
        count++;
      } while (cursor !== null);
      return { seen, count };
    };

    it('walks every ticket once, in ticket id order, page by page', async () => {
      const { seen, count } = await pages('limit=7');
      expect(seen).toEqual(ids);
      expect(count).toBe(8);
    });

    it('filters by zone', async () => {
      const { seen } = await pages('zoneId=2&limit=4');
      expect(seen).toEqual(
        tickets
          .filter((t) => t.zoneId === 2)
          .map((t) => t.ticketId)
          .sort(),
      );
    });

    it('pages by 50 by default and ends with a null cursor', async () => {
      const first = await api.request('GET', `/api/v1/events/${eventId}/tickets`);
      expect(first.body.tickets).toHaveLength(50);
      expect(first.body.tickets[0]).toEqual({ ...tickets.find((t) => t.ticketId === ids[0]), status: 'RESERVED' });
      const second = await api.request('GET', `/api/v1/events/${eventId}/tickets?cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ tickets: expect.any(Array), nextCursor: null });
      expect(second.body.tickets).toHaveLength(5);
      const whole = await api.request('GET', `/api/v1/events/${eventId}/tickets?limit=${MAX_PAGE_SIZE}`);
      expect(whole.body).toMatchObject({ nextCursor: null });
      expect(whole.body.tickets).toHaveLength(55);
    });

    it('200 with no tickets for a known event without any, 404 for an unknown event', async () => {
      const event = saleEvent(freshEventId('q'), 'Arena');
      await projection.upsertEvents([event]);
      expect(await api.request('GET', `/api/v1/events/${event.eventId}/tickets`)).toMatchObject({
        status: 200,
        body: { tickets: [], nextCursor: null },
      });
      expect(await api.request('GET', '/api/v1/events/never-heard-of/tickets')).toMatchObject({
        status: 404,
        body: { error: 'NOT_FOUND' },
      });
    });

    it.each([
      ['a non-integer zoneId', 'zoneId=abc', 'zoneId'],
      ['zoneId 0', 'zoneId=0', 'zoneId'],
      ['limit 0', 'limit=0', 'limit'],
      [`limit over ${MAX_PAGE_SIZE}`, `limit=${MAX_PAGE_SIZE + 1}`, 'limit'],
      ['a fractional limit', 'limit=1.5', 'limit'],
      ['a negative limit', 'limit=-3', 'limit'],
      ['a cursor that is not base64url', 'cursor=%2B%2F%3D', 'cursor'],
      ['a cursor that does not hold a ticket id', `cursor=${Buffer.from('a b').toString('base64url')}`, 'cursor'],
      ['a repeated parameter', 'limit=1&limit=2', 'limit'],
      ['an unknown parameter', 'zone=1', '(body)'],
    ])('400 VALIDATION_FAILED for %s', async (_label, query, path) => {
      expectValidationFailed(await api.request('GET', `/api/v1/events/${eventId}/tickets?${query}`), path);
    });
  });

  describe('GET /api/v1/events/:eventId/zones/:zoneId/seats', () => {
    it('200 with the zone size and its live seats, by row then column', async () => {
      const eventId = freshEventId('q');
      const seats = [
        ['B', 2],
        ['A', 10],
        ['A', 1],
        ['A', 2],
      ] as const;
      const live = seats.map(([row, column]) => reservedTicket(eventId, { row, column }));
      const gone = reservedTicket(eventId, { row: 'C', column: 3 });
      const otherZone = reservedTicket(eventId, { zoneId: 2, row: 'A', column: 5 });
      await projection.applyReserved([...live, gone, otherZone]);
      await projection.applyCancelled([cancelledTicket(gone)]);
      expect(await api.request('GET', `/api/v1/events/${eventId}/zones/1/seats`)).toMatchObject({
        status: 200,
        body: { eventId, zoneId: 1, rows: 26, columns: 400, taken: ['A1', 'A2', 'A10', 'B2'] },
      });
      expect((await api.request('GET', `/api/v1/events/${eventId}/zones/2/seats`)).body.taken).toEqual(['A5']);
    });

    it('treats "_" in an event id as a character, not a wildcard', async () => {
      const base = freshEventId('q');
      await projection.upsertEvents([saleEvent(`${base}_x`, 'Arena')]);
      await projection.applyReserved([reservedTicket(`${base}Yx`, { row: 'A', column: 1 })]);
      expect((await api.request('GET', `/api/v1/events/${base}_x/zones/1/seats`)).body).toMatchObject({ taken: [] });
    });

    it('404 NOT_FOUND for an unknown event or a zone the venue does not have', async () => {
      const event = saleEvent(freshEventId('q'), 'TinyHall');
      await projection.upsertEvents([event]);
      expect(await api.request('GET', `/api/v1/events/${event.eventId}/zones/2/seats`)).toMatchObject({
        status: 200,
        body: { rows: 1, columns: 3, taken: [] },
      });
      for (const path of [
        `/api/v1/events/${event.eventId}/zones/9/seats`,
        '/api/v1/events/never-heard-of/zones/1/seats',
      ]) {
        expect(await api.request('GET', path)).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
      }
    });

    it.each([
      ['a non-integer zoneId', '/api/v1/events/some-event/zones/one/seats', 'zoneId'],
      ['a zoneId over 100000', '/api/v1/events/some-event/zones/100001/seats', 'zoneId'],
      ['a malformed event id', '/api/v1/events/a%24b/zones/1/seats', 'eventId'],
    ])('400 VALIDATION_FAILED for %s', async (_label, path, issuePath) => {
      expectValidationFailed(await api.request('GET', path), issuePath);
    });
  });
});

describe('read model queries with MySQL unreachable', () => {
  it('the app starts anyway, and the queries answer 503 UNAVAILABLE', async () => {
    const api = await startQueryApi('mysql://root@127.0.0.1:1/tickets');
    try {
      for (const path of ['/api/v1/tickets/abc', '/api/v1/events/e1/sales', '/api/v1/events/e1/zones/1/seats']) {
        const response = await api.request('GET', path);
        expect(response).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE' } });
        expect(response.headers.get('retry-after')).toBe('1');
      }
    } finally {
      await api.close();
    }
  });
});

import { Logger } from '@nestjs/common';
import type { Catalog, SaleEvent } from '../../src/catalog/catalog.schema';
import { CatalogSeeder } from '../../src/catalog/catalog.seeder';
import type { OpenSaleCommand, OpenSaleOutcome } from '../../src/catalog/open-sale/open-sale.command';

const event = (eventId: string): SaleEvent => ({
  eventId,
  venueId: 'V',
  name: eventId,
  type: 'test',
  date: '2027-01-01T20:00:00Z',
});
const catalog: Catalog = {
  venues: [{ venueId: 'V', city: 'Here', zones: [{ zoneId: 1, ticketPrice: 10, rowCount: 1, colCount: 1 }] }],
  events: [event('E1'), event('E2')],
};

describe('CatalogSeeder: what a process seeds from the catalog file at start-up', () => {
  afterEach(() => jest.restoreAllMocks());

  it("opens every event of the file for sale, and nothing else, in the API's step", async () => {
    const opened: string[] = [];
    const execute = (command: OpenSaleCommand): Promise<OpenSaleOutcome> => {
      opened.push(command.event.eventId);
      return Promise.resolve(command.event.eventId === 'E1' ? 'CREATED' : 'EXISTS');
    };
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await new CatalogSeeder(catalog, { step: 'open-sales', sales: { execute } }).onApplicationBootstrap();
    expect(opened).toEqual(['E1', 'E2']);
    expect(log.mock.calls.map(([message]) => message)).toEqual([
      'event E1 at V: opened for sale',
      'event E2 at V: already open',
    ]);
  });

  it('fails the start when a sale cannot be opened', async () => {
    const execute = (): Promise<OpenSaleOutcome> => Promise.reject(new Error('Redis refused'));
    const seeder = new CatalogSeeder(catalog, { step: 'open-sales', sales: { execute } });
    await expect(seeder.onApplicationBootstrap()).rejects.toThrow('Redis refused');
  });

  it("records the whole file in the read model in the worker's step", async () => {
    const seeded: Catalog[] = [];
    const records = { seedCatalog: (c: Catalog) => Promise.resolve(void seeded.push(c)) };
    await new CatalogSeeder(catalog, { step: 'read-model', records }).onApplicationBootstrap();
    expect(seeded).toEqual([catalog]);
  });

  it('starts the worker anyway when the read model cannot be reached, with a warning naming MYSQL_URL', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const records = { seedCatalog: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    await new CatalogSeeder(catalog, { step: 'read-model', records }).onApplicationBootstrap();
    expect(warn).toHaveBeenCalledWith('catalog not seeded into the read model: connect ECONNREFUSED (MYSQL_URL)');
  });
});
